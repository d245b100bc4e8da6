using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// Taking vCPUs down and moving a vcpu_info: VCPUOP_down of another vCPU stops it at once (is_up 0,
    /// offline, its count stands still), a second down is a harmless 0, VCPUOP_up lets it go on where it
    /// stopped. VCPUOP_register_vcpu_info for a vCPU that is down (vCPU 3, just initialised) moves its
    /// vcpu_info to a page of the guest's, marked all pending, where its time and events then go (its
    /// shared_info slot stays quiet); a running vCPU other than the caller, or a second registration, is
    /// -EINVAL. A vCPU that takes itself down returns from VCPUOP_down with 0 once brought up again.
    /// vCPU 2 is left down for dom0 to see.
    /// </summary>
    internal static unsafe class DownTests
    {
        private const ulong Settle = 100000000UL;
        private const uint InfoOffset = 64;

        public static void Run(TestSuite suite, ulong l4Frame)
        {
            if (Secondaries.Read(&Secondaries.Box(2)->Started) != 0)
                DownOther(suite);
            else
                suite.Skip("down_other_vcpu", "vCPU 2 is not running");
            RegisterVcpuInfo(suite, l4Frame);
            if (Secondaries.Read(&Secondaries.Box(3)->Started) != 0)
                DownSelf(suite);
            else
                suite.Skip("down_self", "vCPU 3 is not running");
            if (Secondaries.Read(&Secondaries.Box(2)->Started) != 0)
                suite.Returns("down_vcpu2_for_dom0", 0, Hypercalls.VcpuOp(VcpuOp.Down, 2, null));
        }

        private static void DownOther(TestSuite suite)
        {
            Mailbox* box = Secondaries.Box(2);
            Secondaries.Post(2, Orders.Spin, 0, 0);
            Secondaries.Sleep(Secondaries.SliceNs);
            long rc = Hypercalls.VcpuOp(VcpuOp.Down, 2, null);
            long up = Hypercalls.VcpuOp(VcpuOp.IsUp, 2, null);
            int state = Runstates.WaitFor(2, VcpuRunstate.Offline);
            ulong spins = Secondaries.Read(&box->Spins);
            Secondaries.Sleep(Settle);
            ulong later = Secondaries.Read(&box->Spins);
            suite.Result("down_other_vcpu_stops_it", rc == 0 && up == 0 && state == VcpuRunstate.Offline && later == spins)
                .Text(" down ").Result(rc).Text(", is_up ").Result(up).Text(", ").Text(Runstates.Name(state)).Text(", count ")
                .Dec(spins).Text(" -> ").Dec(later).Text(" in ").Dec(Settle / 1000000).Text(" ms").End();
            suite.Returns("down_vcpu_already_down", 0, Hypercalls.VcpuOp(VcpuOp.Down, 2, null));

            rc = Hypercalls.VcpuOp(VcpuOp.Up, 2, null);
            Secondaries.Sleep(Settle);
            ulong resumed = Secondaries.Read(&box->Spins);
            suite.Result("up_resumes_downed_vcpu", rc == 0 && resumed > later).Text(" up ").Result(rc).Text(", count ").Dec(later)
                .Text(" -> ").Dec(resumed).End();
            Secondaries.WaitDone(2, Secondaries.Post(2, Orders.ReadClock, 0, 0));
        }

        private static void RegisterVcpuInfo(TestSuite suite, ulong l4Frame)
        {
            VcpuGuestContext* context = (VcpuGuestContext*)GuestMemory.AllocatePages(2);
            Secondaries.FillContext(context, 3, l4Frame);
            suite.Returns("initialise_vcpu3", 0, Hypercalls.VcpuOp(VcpuOp.Initialise, 3, context));

            byte* page = GuestMemory.AllocatePages(1);
            VcpuRegisterVcpuInfo request = default;
            request.Mfn = MachineFrames.Of(page);
            request.Offset = InfoOffset;
            suite.Errno("register_vcpu_info_of_running_other_einval", XenErrno.EINVAL, Hypercalls.VcpuOp(VcpuOp.RegisterVcpuInfo, 1, &request));
            long rc = Hypercalls.VcpuOp(VcpuOp.RegisterVcpuInfo, 3, &request);
            VcpuInfo* moved = (VcpuInfo*)(page + InfoOffset);
            suite.Result("register_vcpu_info_of_down_vcpu", rc == 0 && moved->EvtchnUpcallPending == 1 && moved->EvtchnPendingSel == ulong.MaxValue
                         && moved->EvtchnUpcallMask == 1)
                .Text(" returned ").Result(rc).Text(", upcall_pending ").Dec(moved->EvtchnUpcallPending).Text(", selector ")
                .Hex(moved->EvtchnPendingSel).Text(", mask ").Dec(moved->EvtchnUpcallMask).End();
            if (rc != 0)
                return;
            suite.Errno("register_vcpu_info_twice_einval", XenErrno.EINVAL, Hypercalls.VcpuOp(VcpuOp.RegisterVcpuInfo, 3, &request));
            Secondaries.Write(&Secondaries.Box(3)->VcpuInfo, (ulong)moved);

            BringUpTests.Up(suite, 3, "up_vcpu3_with_moved_vcpu_info");
            if (Secondaries.Read(&Secondaries.Box(3)->Started) == 0)
                return;
            VcpuInfo* slot = SharedInfo.VcpuInfoOf(SharedInfoPage.Get(), 3);
            slot->EvtchnUpcallPending = 0;
            uint kick = Secondaries.Kick(3);
            ulong hits = Secondaries.Hits(3, kick);
            bool done = Secondaries.WaitDone(3, Secondaries.Post(3, Orders.ReadClock, 0, 0));
            // vCPU 3 may have seen the order before the event reached it (it looks at its mailbox before it
            // blocks): the upcall then comes on its next entry, after the order is done.
            ulong deadline = GuestClock.Now() + Secondaries.WaitNs;
            while (done && Secondaries.Hits(3, kick) == hits && GuestClock.Now() < deadline)
                Secondaries.Sleep(Secondaries.SliceNs);
            suite.Result("events_go_to_moved_vcpu_info", done && Secondaries.Hits(3, kick) > hits && slot->EvtchnUpcallPending == 0)
                .Text(" the kick ").Text(done ? "reached" : "did not reach").Text(" vCPU 3's upcall ").Dec(Secondaries.Hits(3, kick) - hits)
                .Text(" time(s); shared_info's slot upcall_pending ").Dec(slot->EvtchnUpcallPending).End();
            BringUpTests.Clock(suite, 3, "vcpu3_time_in_moved_vcpu_info_agrees");
        }

        private static void DownSelf(TestSuite suite)
        {
            Mailbox* box = Secondaries.Box(3);
            ulong sequence = Secondaries.Post(3, Orders.DownSelf, 0, 0);
            ulong deadline = GuestClock.Now() + Secondaries.WaitNs;
            long up = 1;
            while (GuestClock.Now() < deadline && (up = Hypercalls.VcpuOp(VcpuOp.IsUp, 3, null)) != 0)
                Secondaries.Sleep(Secondaries.SliceNs);
            int state = Runstates.WaitFor(3, VcpuRunstate.Offline);
            bool notDone = Secondaries.Read(&box->Done) != sequence;
            suite.Result("down_self", up == 0 && state == VcpuRunstate.Offline && notDone)
                .Text(" is_up ").Result(up).Text(", ").Text(Runstates.Name(state)).Text(notDone ? ", waiting in VCPUOP_down" : ", returned already").End();
            ulong upAt = GuestClock.Now();
            long rc = Hypercalls.VcpuOp(VcpuOp.Up, 3, null);
            bool done = Secondaries.WaitDone(3, sequence);
            suite.Result("up_returns_from_down_self", rc == 0 && done && box->Result == 0 && box->Value >= upAt)
                .Text(" up ").Result(rc).Text(", VCPUOP_down returned ").Result(done ? box->Result : 1).End();
        }
    }
}
