using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// Events to a particular vCPU: an IPI port bound to vCPU 1 wakes it from SCHEDOP_block (its runstate
    /// blocked meanwhile) and reaches its own event upcall, not vCPU 0's vcpu_info; an interdomain port
    /// moved to vCPU 2 with EVTCHNOP_bind_vcpu (status then names vCPU 2) wakes and reaches vCPU 2.
    /// </summary>
    internal static unsafe class EventTests
    {
        public static void Run(TestSuite suite)
        {
            if (Secondaries.Read(&Secondaries.Box(1)->Started) == 0 || Secondaries.Read(&Secondaries.Box(2)->Started) == 0)
            {
                suite.Skip("events_to_vcpus", "vCPUs 1 and 2 are not running");
                return;
            }
            VcpuInfo* own = SharedInfo.VcpuInfoOf(SharedInfoPage.Get(), 0);

            uint kick = Secondaries.Kick(1);
            ulong sequence = Secondaries.Post(1, Orders.Block, 0, 0);
            int state = Runstates.WaitFor(1, VcpuRunstate.Blocked);
            suite.Result("runstate_blocked_in_schedop_block", state == VcpuRunstate.Blocked).Text(" vCPU 1 ").Text(Runstates.Name(state)).End();
            own->EvtchnUpcallPending = 0;
            Atomic.Exchange(&own->EvtchnPendingSel, 0);
            ulong hits = Secondaries.Hits(1, kick);
            long rc = EventChannels.Send(kick);
            bool done = Secondaries.WaitDone(1, sequence);
            Mailbox* box = Secondaries.Box(1);
            suite.Result("ipi_wakes_vcpu1_through_its_upcall", rc == 0 && done && box->Result == 0 && Secondaries.Hits(1, kick) == hits + 1
                         && own->EvtchnUpcallPending == 0 && own->EvtchnPendingSel == 0)
                .Text(" send ").Result(rc).Text(", block returned ").Result(done ? box->Result : 1).Text(", vCPU 1's upcall saw the port ")
                .Dec(Secondaries.Hits(1, kick) - hits).Text(" time(s), vCPU 0's upcall_pending ").Dec(own->EvtchnUpcallPending)
                .Text(" and selector ").Hex(own->EvtchnPendingSel).End();

            BindVcpu(suite, own);
        }

        private static void BindVcpu(TestSuite suite, VcpuInfo* own)
        {
            long remote = EventChannels.AllocUnbound(DomainId.Self, DomainId.Self);
            long local = remote > 0 ? EventChannels.BindInterdomain(DomainId.Self, (uint)remote) : remote;
            if (remote <= 0 || local <= 0 || local >= Mailbox.TrackedPorts)
            {
                suite.Fail("loopback_ports").Text("alloc_unbound ").Result(remote).Text(", bind_interdomain ").Result(local).End();
                return;
            }
            EventChannels.ClearPending((uint)local);
            EventChannels.ClearPending((uint)remote);
            Secondaries.Own(2, (uint)local);
            suite.Returns("bind_vcpu_interdomain_to_vcpu2", 0, EventChannels.BindVcpu((uint)local, 2));
            EvtchnStatus status = default;
            long rc = EventChannels.Status(DomainId.Self, (uint)local, &status);
            suite.Result("status_names_vcpu2", rc == 0 && status.Vcpu == 2).Text(" returned ").Result(rc).Text(", vcpu ").Dec(status.Vcpu).End();

            ulong sequence = Secondaries.Post(2, Orders.Block, 0, 0);
            int state = Runstates.WaitFor(2, VcpuRunstate.Blocked);
            own->EvtchnUpcallPending = 0;
            Atomic.Exchange(&own->EvtchnPendingSel, 0);
            ulong hits = Secondaries.Hits(2, (uint)local);
            rc = EventChannels.Send((uint)remote);
            bool done = Secondaries.WaitDone(2, sequence);
            suite.Result("event_follows_bind_vcpu", state == VcpuRunstate.Blocked && rc == 0 && done && Secondaries.Hits(2, (uint)local) == hits + 1
                         && own->EvtchnUpcallPending == 0)
                .Text(" vCPU 2 ").Text(Runstates.Name(state)).Text(", send ").Result(rc).Text(", ").Text(done ? "woke" : "did not wake")
                .Text(", its upcall saw the port ").Dec(Secondaries.Hits(2, (uint)local) - hits).Text(" time(s), vCPU 0's upcall_pending ")
                .Dec(own->EvtchnUpcallPending).End();
            EventChannels.Close((uint)local);
            EventChannels.Close((uint)remote);
        }
    }
}
