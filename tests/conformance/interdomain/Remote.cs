using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// Dom0's calls into the peer: <see cref="PeerCommand"/>s through the <see cref="PeerDomain"/>'s
    /// mailbox, and the peer's own hypercalls with their structure copied into the mailbox's scratch
    /// area, pointed at with the peer's address of it, and copied back after. A call the peer does not
    /// answer gives <see cref="NoAnswer"/> (no errno is that large), and later tests skip.
    /// </summary>
    internal static unsafe class Remote
    {
        public const long NoAnswer = -1000000;

        public static PeerDomain Peer;

        public static ushort Id => Peer.Domain;

        /// <summary>True when the peer was started and still answers; otherwise a SKIP of
        /// <paramref name="test"/> with the reason.</summary>
        public static bool Alive(TestSuite suite, string test)
        {
            if (Peer != null && Peer.IsResponsive && Peer.Mailbox != null)
                return true;
            if (Peer == null || Peer.Mailbox == null)
                suite.Skip(test, "the peer was not started");
            else
                suite.Skip(test, "the peer stopped answering");
            return false;
        }

        public static bool Call(uint command, long a0 = 0, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0, long a5 = 0)
            => Peer != null && Peer.Call(command, a0, a1, a2, a3, a4, a5) == PeerDomain.Answered;

        /// <summary>Result <paramref name="index"/> of <paramref name="command"/>, or <see cref="NoAnswer"/>.</summary>
        public static long Value(int index, uint command, long a0 = 0, long a1 = 0, long a2 = 0, long a3 = 0)
            => Call(command, a0, a1, a2, a3) ? Peer.Result(index) : NoAnswer;

        public static long R(int index) => Peer.Result(index);

        public static long Hypercall(int number, ulong a1 = 0, ulong a2 = 0, ulong a3 = 0, ulong a4 = 0, ulong a5 = 0)
            => Call(PeerCommand.Hypercall, number, (long)a1, (long)a2, (long)a3, (long)a4, (long)a5) ? Peer.Result(0) : NoAnswer;

        /// <summary>The peer's hypercall <paramref name="number"/>(<paramref name="first"/>, its copy of
        /// <paramref name="size"/> bytes at <paramref name="arg"/>, <paramref name="third"/>), the bytes
        /// copied back after.</summary>
        public static long WithStruct(int number, ulong first, void* arg, int size, ulong third = 0, ulong fourth = 0)
        {
            if (Peer == null || Peer.Mailbox == null)
                return NoAnswer;
            Copy((byte*)arg, Peer.Scratch(0), size);
            long rc = Hypercall(number, first, Peer.PeerScratch(0), third, fourth);
            Copy(Peer.Scratch(0), (byte*)arg, size);
            return rc;
        }

        public static long EventOp(int command, void* arg, int size) => WithStruct(HypercallNumber.EventChannelOp, (ulong)command, arg, size);

        public static long GrantOp(int command, void* ops, int size, uint count) => WithStruct(HypercallNumber.GrantTableOp, (ulong)command, ops, size, count);

        public static long Status(ushort dom, uint port, EvtchnStatus* status)
        {
            Fill((byte*)status, sizeof(EvtchnStatus), 0xA5);
            status->Dom = dom;
            status->Port = port;
            return EventOp(EventChannelOp.Status, status, sizeof(EvtchnStatus));
        }

        public static long BindInterdomain(ushort remoteDom, uint remotePort)
        {
            EvtchnBindInterdomain bind = default;
            bind.RemoteDom = remoteDom;
            bind.RemotePort = remotePort;
            long rc = EventOp(EventChannelOp.BindInterdomain, &bind, sizeof(EvtchnBindInterdomain));
            return rc == 0 ? bind.LocalPort : rc;
        }

        public static long AllocUnbound(ushort dom, ushort remoteDom)
        {
            EvtchnAllocUnbound alloc = default;
            alloc.Dom = dom;
            alloc.RemoteDom = remoteDom;
            long rc = EventOp(EventChannelOp.AllocUnbound, &alloc, sizeof(EvtchnAllocUnbound));
            return rc == 0 ? alloc.Port : rc;
        }

        public static long Send(uint port)
        {
            EvtchnSend send;
            send.Port = port;
            return EventOp(EventChannelOp.Send, &send, sizeof(EvtchnSend));
        }

        public static long Close(uint port)
        {
            EvtchnClose close;
            close.Port = port;
            return EventOp(EventChannelOp.Close, &close, sizeof(EvtchnClose));
        }

        public static long Reset(ushort dom)
        {
            EvtchnReset reset;
            reset.Dom = dom;
            return EventOp(EventChannelOp.Reset, &reset, sizeof(EvtchnReset));
        }

        public static long BindVcpu(uint port, uint vcpu)
        {
            EvtchnBindVcpu bind;
            bind.Port = port;
            bind.Vcpu = vcpu;
            return EventOp(EventChannelOp.BindVcpu, &bind, sizeof(EvtchnBindVcpu));
        }

        /// <summary>The peer's 64-bit word at <paramref name="address"/> (<see cref="NoAnswer"/> if unreadable).</summary>
        public static long Peek(ulong address)
            => Call(PeerCommand.Peek, (long)address) && Peer.Result(0) == 1 ? Peer.Result(1) : NoAnswer;

        public static bool Poke(ulong address, ulong value) => Call(PeerCommand.Poke, (long)address, (long)value) && Peer.Result(0) == 1;

        public static void Copy(byte* from, byte* to, int size)
        {
            for (int i = 0; i < size; i++)
                to[i] = from[i];
        }

        public static void Fill(byte* bytes, int size, byte value)
        {
            for (int i = 0; i < size; i++)
                bytes[i] = value;
        }
    }
}
