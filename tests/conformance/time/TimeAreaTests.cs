using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// VCPUOP_register_vcpu_time_memory_area (what a guest's vDSO clock reads): a copy of vCPU 0's
    /// vcpu_time_info at an address of the guest's choosing, written at once (the same stamp as
    /// vcpu_info's: TSC, system time, scale, an even version) and rewritten with later stamps (once
    /// vcpu_info's version has moved on, the copy's has too and still matches it). Address 0 unregisters; an address outside the guest's half is -EFAULT.
    /// </summary>
    internal static unsafe class TimeAreaTests
    {
        private const ulong SleepNs = 20_000_000;
        private const ulong StampWaitNs = 3_000_000_000;

        public static void Run(TestSuite suite)
        {
            VcpuTimeInfo* area = (VcpuTimeInfo*)GuestMemory.AllocatePages(1);
            area->Version = 0xAAAAAAAA;
            VcpuRegisterTimeMemoryArea request = default;
            request.Addr = (ulong)area;
            long rc = Hypercalls.VcpuOp(VcpuOp.RegisterVcpuTimeMemoryArea, 0, &request);
            suite.Returns("register_vcpu_time_memory_area", 0, rc);
            if (rc != 0)
                return;
            Matches(suite, "time_area_holds_the_stamp_at_once", area, out uint first);

            // A new stamp comes when the vCPU is switched in again (ours) or at the latest with the next
            // 1 s calibration (Xen): wait for vcpu_info's version to move on, then compare again.
            ulong giveUp = GuestClock.Now() + StampWaitNs;
            while (TimeSnapshot.Read(TimeSnapshot.Of(0)).Version == first && GuestClock.Now() < giveUp)
                GuestClock.Sleep(SleepNs);
            Matches(suite, "time_area_follows_later_stamps", area, out uint later);
            suite.Result("time_area_version_moves_on", later > first && (later & 1) == 0)
                .Text(" version ").Dec(first).Text(" -> ").Dec(later).End();

            request.Addr = 0;
            suite.Returns("register_vcpu_time_memory_area_null_unregisters", 0, Hypercalls.VcpuOp(VcpuOp.RegisterVcpuTimeMemoryArea, 0, &request));
            uint left = area->Version;
            giveUp = GuestClock.Now() + StampWaitNs;
            while (TimeSnapshot.Read(TimeSnapshot.Of(0)).Version == later && GuestClock.Now() < giveUp)
                GuestClock.Sleep(SleepNs);
            suite.Result("time_area_left_alone_once_unregistered", area->Version == left && TimeSnapshot.Read(TimeSnapshot.Of(0)).Version != left)
                .Text(" copy's version ").Dec(left).Text(" -> ").Dec(area->Version).Text(", vcpu_info's ").Dec(TimeSnapshot.Read(TimeSnapshot.Of(0)).Version).End();

            request.Addr = 0xFFFF800000000000UL;
            suite.Errno("register_vcpu_time_memory_area_hypervisor_address", XenErrno.EFAULT,
                        Hypercalls.VcpuOp(VcpuOp.RegisterVcpuTimeMemoryArea, 0, &request));
        }

        // The copy read consistently (even version, unchanged across the read) against vcpu_info's stamp.
        private static void Matches(TestSuite suite, string test, VcpuTimeInfo* area, out uint version)
        {
            TimeSnapshot copy = TimeSnapshot.Read(area);
            TimeSnapshot stamp = TimeSnapshot.Read(TimeSnapshot.Of(0));
            version = copy.Version;
            suite.Result(test, (copy.Version & 1) == 0 && copy.TscTimestamp == stamp.TscTimestamp && copy.SystemTime == stamp.SystemTime
                               && copy.Mul == stamp.Mul && copy.Shift == stamp.Shift)
                .Text(" copy: version ").Dec(copy.Version).Text(", tsc ").Dec(copy.TscTimestamp).Text(", system ").Dec(copy.SystemTime)
                .Text("; vcpu_info: version ").Dec(stamp.Version).Text(", tsc ").Dec(stamp.TscTimestamp).Text(", system ").Dec(stamp.SystemTime).End();
        }
    }
}
