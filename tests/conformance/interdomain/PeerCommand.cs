namespace Hypervisor.Conformance
{
    /// <summary>
    /// What dom0 may ask the peer to do (<see cref="Hypervisor.Guest.PeerMailbox.Command"/>), with the
    /// arguments (a0, a1, ...) and results (r0, r1, ...) of each. Addresses are the peer's. Most tests
    /// use <see cref="Hypercall"/> with structures in the mailbox's scratch area, so that what the peer
    /// does is spelled out on dom0's side; the others are what only the peer can do for itself (its own
    /// memory, its event state, its grant table) or must do without dom0 running in between.
    /// </summary>
    internal static class PeerCommand
    {
        /// <summary>a0 the hypercall number, a1-a5 its arguments; r0 its result.</summary>
        public const uint Hypercall = 1;
        /// <summary>a0 an address; r0 1 when readable, r1 the 64-bit word there.</summary>
        public const uint Peek = 2;
        /// <summary>a0 an address, a1 a 64-bit word to store; r0 1 when it was stored.</summary>
        public const uint Poke = 3;
        /// <summary>a0 a page count; r0 the address of that many new zeroed pages.</summary>
        public const uint Allocate = 4;
        /// <summary>a0 an address of the peer's initial mapping; r0 its machine frame.</summary>
        public const uint FrameOf = 5;
        /// <summary>a0 a page, a1 a multiplier, a2 an offset: byte i becomes (i * a1 + a2) mod 256.</summary>
        public const uint Fill = 6;
        /// <summary>a0 an address, a1 a length; r0 <see cref="Bytes.Hash"/> of those bytes.</summary>
        public const uint Hash = 7;
        /// <summary>a0 a port, a1 1 to let pending upcalls in first; r0 pending, r1 masked, r2 upcalls
        /// that handled the port, r3 <see cref="PortCounter.LastSequence"/> of the port, r4 vcpu_info's
        /// pending selector, r5 its upcall-pending flag, r6 upcalls in all, r7 sends that arrived while
        /// the port's handler ran (<see cref="YieldInHandler"/>).</summary>
        public const uint EventState = 8;
        /// <summary>Forgets the vCPU's selector and upcall-pending flag, a0's pending bit (0: none) and
        /// the timer's, so that what comes next is all there is.</summary>
        public const uint Quiesce = 9;
        /// <summary>a0 a port, a1 1 or 0: the upcall handler sends back on the port for each event.</summary>
        public const uint Echo = 10;
        /// <summary>a0 1 or 0: <see cref="Hypervisor.Guest.PeerServer.Hold"/> (and the idle timer stopped).</summary>
        public const uint Hold = 11;
        /// <summary>a0 a port, a1 a count: sends and waits (events masked, SCHEDOP_poll on the port) for
        /// each echo; r0 echoes received.</summary>
        public const uint Ping = 12;
        /// <summary>a0 a port, a1 a count: sends that many times at once; r0 sends that failed.</summary>
        public const uint SendBurst = 13;
        /// <summary>a0 a port: sets its mask bit.</summary>
        public const uint Mask = 14;
        /// <summary>a0 a port: with events enabled, EVTCHNOP_unmask; r0 its result, r1 upcalls that handled it.</summary>
        public const uint UnmaskOpen = 15;
        /// <summary>Maps the peer's grant table (first frame); r0 0 or the error, r1 the table frame.</summary>
        public const uint GrantSetup = 16;
        /// <summary>a0 a ref, a1 the grantee, a2 a frame, a3 1 for read-only: publishes the entry.</summary>
        public const uint Grant = 17;
        /// <summary>a0 a ref; r0 the entry's flags, r1 its whole 64 bits.</summary>
        public const uint EntryFlags = 18;
        /// <summary>a0 a ref; r0 1 when revoked (not mapped: GTF_reading/writing clear), 0 when refused.</summary>
        public const uint EndAccess = 19;
        /// <summary>a0 a ref: the entry's flags become 0 whatever the hypervisor set (a plain store).</summary>
        public const uint ForceRevoke = 20;
        /// <summary>a0 an address, a1 a word; r0 the vector the store raised (-1: none).</summary>
        public const uint ProbeWrite = 21;
        /// <summary>a0 an address; r0 the machine address of the L1 entry that maps it (0: none).</summary>
        public const uint L1Entry = 22;
        /// <summary>r0 the control port, r1 the timer port, r2 how often the control port was bound again.</summary>
        public const uint Info = 23;
        /// <summary>a0 a port, a1 1 or 0: the upcall handler yields the CPU after handling the port.</summary>
        public const uint YieldInHandler = 24;
    }
}
