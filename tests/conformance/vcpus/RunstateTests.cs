using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// VCPUOP_get_runstate_info and VCPUOP_register_runstate_memory_area: the caller sees itself running
    /// since a time in the past; a vCPU never brought up has been offline since it was made (all its time
    /// offline, since its state_entry_time); a vCPU's blocked time grows while it waits in a poll; a
    /// registered area is written at once with the vCPU's state, then again whenever the vCPU is switched
    /// in or out (its running time and entry time move on), and no more once unregistered.
    /// </summary>
    internal static unsafe class RunstateTests
    {
        private const ulong Wait = 100000000UL;

        public static void Run(TestSuite suite)
        {
            ulong now = GuestClock.Now();
            long rc = Runstates.Get(0, out VcpuRunstateInfo self);
            Runstates.Describe(suite.Result("runstate_self_running", rc == 0 && self.State == VcpuRunstate.Running
                                            && self.StateEntryTime <= now + 1000000 && self.Time[VcpuRunstate.Running] > 0), &self).End();

            rc = Runstates.Get(3, out VcpuRunstateInfo never);
            now = GuestClock.Now();
            ulong sum = Runstates.Sum(&never);
            bool allOffline = never.Time[VcpuRunstate.Offline] == sum;
            Runstates.Describe(suite.Result("runstate_offline_since_made", rc == 0 && never.State == VcpuRunstate.Offline && allOffline
                                            && never.StateEntryTime > 0 && never.StateEntryTime <= now
                                            && Near(sum, now - never.StateEntryTime, 2000000)), &never).End();

            Runstates.Get(0, out VcpuRunstateInfo before);
            Secondaries.Sleep(Wait);
            Runstates.Get(0, out VcpuRunstateInfo after);
            ulong blocked = after.Time[VcpuRunstate.Blocked] - before.Time[VcpuRunstate.Blocked];
            suite.Result("runstate_blocked_time_grows_in_poll", blocked >= Wait / 2 && blocked <= Wait * 2)
                .Text(" blocked +").Dec(blocked / 1000).Text(" us over a ").Dec(Wait / 1000).Text(" us poll").End();

            Area(suite);
        }

        private static void Area(TestSuite suite)
        {
            if (Secondaries.Read(&Secondaries.Box(1)->Started) == 0)
            {
                suite.Skip("runstate_area", "vCPU 1 is not running");
                return;
            }
            VcpuRunstateInfo* area = (VcpuRunstateInfo*)GuestMemory.AllocatePages(1);
            area->State = -1;
            // vCPU 1 waits for orders, blocked.
            Runstates.WaitFor(1, VcpuRunstate.Blocked);
            VcpuRegisterRunstateMemoryArea register;
            register.Addr = (ulong)area;
            long rc = Hypercalls.VcpuOp(VcpuOp.RegisterRunstateMemoryArea, 1, &register);
            VcpuRunstateInfo first = *area;
            Runstates.Describe(suite.Result("runstate_area_written_at_once", rc == 0 && first.State == VcpuRunstate.Blocked
                                            && first.Time[VcpuRunstate.Running] > 0).Text(" returned ").Result(rc).Text(","), &first).End();

            Secondaries.Post(1, Orders.Spin, 0, 0);   // it spins until the next order
            Secondaries.Sleep(Wait);
            Secondaries.WaitDone(1, Secondaries.Post(1, Orders.ReadClock, 0, 0));
            Runstates.WaitFor(1, VcpuRunstate.Blocked);
            Secondaries.Sleep(Secondaries.SliceNs);
            VcpuRunstateInfo second = *area;
            ulong ran = second.Time[VcpuRunstate.Running] - first.Time[VcpuRunstate.Running];
            Runstates.Describe(suite.Result("runstate_area_updated_on_switches", second.State == VcpuRunstate.Blocked
                                            && second.StateEntryTime > first.StateEntryTime && ran >= Wait / 5)
                               .Text(" running +").Dec(ran / 1000000).Text(" ms;"), &second).End();

            register.Addr = 0;
            rc = Hypercalls.VcpuOp(VcpuOp.RegisterRunstateMemoryArea, 1, &register);
            Secondaries.WaitDone(1, Secondaries.Post(1, Orders.ReadClock, 0, 0));
            Runstates.WaitFor(1, VcpuRunstate.Blocked);
            VcpuRunstateInfo third = *area;
            suite.Result("runstate_area_unregistered_left_alone", rc == 0 && third.StateEntryTime == second.StateEntryTime
                         && third.Time[VcpuRunstate.Running] == second.Time[VcpuRunstate.Running])
                .Text(" returned ").Result(rc).Text(", entry time ").Dec(second.StateEntryTime).Text(" -> ").Dec(third.StateEntryTime).End();
        }

        private static bool Near(ulong a, ulong b, ulong tolerance) => (a > b ? a - b : b - a) <= tolerance;
    }
}
