using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// What the event tests share: the suite's own domain id, port numbers that are never valid, the
    /// event state of vCPU 0 in shared info, and a status check that shows every field the hypervisor
    /// wrote. The suite keeps events masked (vcpu_info's upcall mask 1) except where a test opens them.
    /// </summary>
    internal static unsafe class Ports
    {
        /// <summary>The suite runs as dom0: its own id.</summary>
        public const ushort OwnId = 0;

        /// <summary>A domain that does not exist.</summary>
        public const ushort NoSuchDomain = 42;

        /// <summary>Inside the 2-level limit but beyond the table's buckets as long as the suite holds few ports.</summary>
        public const uint BeyondTable = 1000;

        /// <summary>The first port beyond the 2-level ABI's 4096.</summary>
        public const uint BeyondLimit = EventChannelOp.NrChannels2Level;

        /// <summary>An absent vCPU (dom0 has one).</summary>
        public const uint AbsentVcpu = 5;

        /// <summary>Unmapped guest memory, for -EFAULT.</summary>
        public const ulong Unmapped = 0x1000;

        /// <summary>What a status struct holds before the call, so that fields the hypervisor did not
        /// write show.</summary>
        public const byte Filler = 0xA5;

        public static VcpuInfo* Vcpu0 => SharedInfo.VcpuInfoOf(SharedInfoPage.Get(), 0);

        /// <summary>Masks events and forgets the vCPU's upcall flag and selector (closing a port clears
        /// its pending bit but not those), so the next test starts from a quiet vCPU.</summary>
        public static void Quiesce()
        {
            VcpuInfo* vcpu = Vcpu0;
            vcpu->EvtchnUpcallMask = 1;
            vcpu->EvtchnUpcallPending = 0;
            Atomic.Exchange(&vcpu->EvtchnPendingSel, 0);
            GuestCallbacks.TakePendingWords();
        }

        /// <summary>Closes a port a test made (nothing for an errno).</summary>
        public static void Release(long port)
        {
            if (port > 0)
                EventChannels.Close((uint)port);
        }

        /// <summary>A port the test needs: PASS with its number, FAIL with the errno.</summary>
        public static bool Got(TestSuite suite, string test, long port)
        {
            suite.Result(test, port > 0).Text(" port ").Result(port).End();
            return port > 0;
        }

        /// <summary>EVTCHNOP_status of an own port into <paramref name="status"/>, filled with
        /// <see cref="Filler"/> first.</summary>
        public static long Status(uint port, EvtchnStatus* status)
        {
            byte* bytes = (byte*)status;
            for (int i = 0; i < sizeof(EvtchnStatus); i++)
                bytes[i] = Filler;
            return EventChannels.Status(DomainId.Self, port, status);
        }

        /// <summary>
        /// Checks the status of <paramref name="port"/>: the kind, the vCPU, and per kind the union:
        /// unbound: the remote domain (<paramref name="detail"/>); interdomain: the peer domain
        /// (<paramref name="detail"/>) and port (<paramref name="peerPort"/>); virq: the VIRQ
        /// (<paramref name="detail"/>). Prints what came back.
        /// </summary>
        public static bool ExpectStatus(TestSuite suite, string test, long port, uint kind, uint vcpu, uint detail, uint peerPort)
        {
            if (port < 0)
            {
                suite.Skip(test, "no port");
                return false;
            }
            EvtchnStatus status;
            long rc = Status((uint)port, &status);
            bool ok = rc == 0 && status.Status == kind && status.Vcpu == vcpu;
            if (kind == EvtchnStatusKind.Unbound)
                ok = ok && status.PeerDom == detail;
            else if (kind == EvtchnStatusKind.Interdomain)
                ok = ok && status.PeerDom == detail && status.PeerPort == peerPort;
            else if (kind == EvtchnStatusKind.Virq)
                ok = ok && status.VirqNumber == detail;
            ConsoleLine line = suite.Result(test, ok).Text(" port ").Dec((ulong)port).Text(" returned ").Result(rc);
            Describe(line, status.Status, status.Vcpu, status.PeerDom, status.PeerPort, status.VirqNumber);
            if (!ok)
            {
                line.Text(", expected");
                Describe(line, kind, vcpu, (ushort)detail, peerPort, detail);
            }
            line.End();
            return ok;
        }

        private static void Describe(ConsoleLine line, uint kind, uint vcpu, ushort dom, uint peerPort, uint virq)
        {
            line.Text(" status ").Dec(kind).Text(" (").Text(KindName(kind)).Text(") vcpu ").Dec(vcpu);
            if (kind == EvtchnStatusKind.Unbound)
                line.Text(" remote dom ").Dec(dom);
            else if (kind == EvtchnStatusKind.Interdomain)
                line.Text(" peer dom ").Dec(dom).Text(" port ").Dec(peerPort);
            else if (kind == EvtchnStatusKind.Virq)
                line.Text(" virq ").Dec(virq);
        }

        private static string KindName(uint kind)
        {
            switch (kind)
            {
                case EvtchnStatusKind.Closed: return "closed";
                case EvtchnStatusKind.Unbound: return "unbound";
                case EvtchnStatusKind.Interdomain: return "interdomain";
                case EvtchnStatusKind.Pirq: return "pirq";
                case EvtchnStatusKind.Virq: return "virq";
                case EvtchnStatusKind.Ipi: return "ipi";
                default: return "?";
            }
        }

        /// <summary>PASS when the port's pending bit is <paramref name="expected"/>.</summary>
        public static bool ExpectPending(TestSuite suite, string test, long port, bool expected)
        {
            if (port <= 0)
            {
                suite.Skip(test, "no port");
                return false;
            }
            bool pending = EventChannels.IsPending((uint)port);
            suite.Result(test, pending == expected).Text(" port ").Dec((ulong)port).Text(" pending ").Dec(pending ? 1UL : 0UL)
                .Text(" (expected ").Dec(expected ? 1UL : 0UL).Text(")").End();
            return pending == expected;
        }
    }
}
