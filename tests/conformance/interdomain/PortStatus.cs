using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// EVTCHNOP_status checks, by dom0 or by the peer: the kind, and for an unbound port the domain
    /// allowed to bind, for an interdomain one the other end's domain and port. Every line shows what
    /// came back.
    /// </summary>
    internal static unsafe class PortStatus
    {
        /// <summary>Dom0's status of port <paramref name="port"/> of <paramref name="dom"/>.</summary>
        public static long ByDom0(ushort dom, uint port, EvtchnStatus* status)
        {
            Remote.Fill((byte*)status, sizeof(EvtchnStatus), 0xA5);
            return EventChannels.Status(dom, port, status);
        }

        public static bool Dom0Sees(TestSuite suite, string test, ushort dom, uint port, uint kind, ushort otherDom, uint otherPort)
        {
            EvtchnStatus status;
            long rc = ByDom0(dom, port, &status);
            return Expect(suite, test, port, rc, &status, kind, otherDom, otherPort);
        }

        public static bool PeerSees(TestSuite suite, string test, ushort dom, uint port, uint kind, ushort otherDom, uint otherPort)
        {
            EvtchnStatus status;
            long rc = Remote.Status(dom, port, &status);
            return Expect(suite, test, port, rc, &status, kind, otherDom, otherPort);
        }

        /// <summary>PASS when the call returned 0 with <paramref name="kind"/> (and for unbound ports
        /// <paramref name="otherDom"/>, for interdomain ones <paramref name="otherDom"/> and <paramref name="otherPort"/>).</summary>
        public static bool Expect(TestSuite suite, string test, uint port, long rc, EvtchnStatus* status, uint kind, ushort otherDom, uint otherPort)
        {
            bool ok = rc == 0 && status->Status == kind;
            if (kind == EvtchnStatusKind.Unbound)
                ok = ok && status->PeerDom == otherDom;
            else if (kind == EvtchnStatusKind.Interdomain)
                ok = ok && status->PeerDom == otherDom && status->PeerPort == otherPort;
            ConsoleLine line = suite.Result(test, ok).Text(" port ").Dec(port).Text(" returned ").Result(rc);
            if (rc == 0)
                Describe(line, status->Status, status->PeerDom, status->PeerPort);
            if (!ok)
            {
                line.Text(", expected");
                Describe(line, kind, otherDom, otherPort);
            }
            line.End();
            return ok;
        }

        private static void Describe(ConsoleLine line, uint kind, ushort dom, uint port)
        {
            switch (kind)
            {
                case EvtchnStatusKind.Closed: line.Text(" closed"); return;
                case EvtchnStatusKind.Unbound: line.Text(" unbound for dom ").Dec(dom); return;
                case EvtchnStatusKind.Interdomain: line.Text(" interdomain to dom ").Dec(dom).Text(" port ").Dec(port); return;
                default: line.Text(" kind ").Dec(kind); return;
            }
        }
    }
}
