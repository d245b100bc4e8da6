using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// Bringing up vCPU 1 as a PV kernel does: it exists and is down at boot, VCPUOP_up refuses it
    /// before VCPUOP_initialise (-EINVAL), initialise takes a context once (-EEXIST after) and leaves it
    /// down, VCPUOP_up starts it.
    /// </summary>
    internal static unsafe class BringUpTests
    {
        private const ulong StartTimeout = 2_000_000_000;

        /// <summary>True when the second vCPU runs (the other tests need it).</summary>
        public static bool Run(TestSuite suite)
        {
            suite.Returns("second_vcpu_down_at_boot", 0, SecondVcpu.IsUp());
            suite.Errno("up_before_initialise", XenErrno.EINVAL, Hypercalls.VcpuOp(VcpuOp.Up, SecondVcpu.Id, null));

            long port = EventChannels.BindIpi(SecondVcpu.Id);
            if (!suite.Check("bind_ipi_to_second_vcpu", port > 0, "bind_ipi to vCPU 1 failed"))
                return false;
            EventChannels.ClearPending((uint)port);
            SecondVcpu.PrepareBlock((uint)port);
            VcpuGuestContext* context = SecondVcpu.Context();

            if (!suite.Returns("initialise", 0, Hypercalls.VcpuOp(VcpuOp.Initialise, SecondVcpu.Id, context)))
                return false;
            suite.Errno("initialise_twice", XenErrno.EEXIST, Hypercalls.VcpuOp(VcpuOp.Initialise, SecondVcpu.Id, context));
            suite.Returns("down_after_initialise", 0, SecondVcpu.IsUp());
            suite.Returns("runstate_offline_after_initialise", VcpuRunstate.Offline, SecondVcpu.RunstateOf(SecondVcpu.Id));
            if (!suite.Returns("up", 0, Hypercalls.VcpuOp(VcpuOp.Up, SecondVcpu.Id, null)))
                return false;
            suite.Returns("is_up_after_up", 1, SecondVcpu.IsUp());
            ulong took = SecondVcpu.WaitForChange(&SecondVcpu.Block->Started, 0, StartTimeout);
            ConsoleLine line = suite.Result("second_vcpu_starts", took != ulong.MaxValue);
            if (took != ulong.MaxValue)
                line.Text(" after ").Dec(took / 1000).Text(" us");
            line.End();
            return took != ulong.MaxValue;
        }
    }
}
