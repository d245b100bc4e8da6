using System.Runtime.InteropServices;

namespace Hypervisor.Guest
{
    /// <summary>
    /// A page of a domain built by dom0 (its layout's report page) through which dom0 asks it to do
    /// things and reads the results: dom0 maps it with a foreign mapping (<see cref="PeerDomain"/>), the
    /// domain serves it (<see cref="PeerServer"/>). A request is a command with arguments, published by
    /// writing <see cref="Request"/> last; the answer is the results, published by writing
    /// <see cref="Handled"/> (= the request's number) last. Each side then sends an event on the control
    /// channel, unless the request asked for quiet (the server looks at the page on every wake-up, so a
    /// quiet request is still served within <see cref="PeerServer.IdleSliceNs"/>).
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 4096)]
    public unsafe struct PeerMailbox
    {
        /// <summary>"PEERMBOX" as a little-endian number: the server writes it once it serves.</summary>
        public const ulong ReadyMagic = 0x584F424D52454550UL;
        public const int MaxArgs = 8;
        public const int MaxResults = 32;
        /// <summary>Where <see cref="Scratch"/> starts in the page, and its size: room for structures a
        /// request points the server's hypercalls at (the server sees them at its mailbox address + offset).</summary>
        public const int ScratchOffset = 1024;
        public const int ScratchBytes = 4096 - ScratchOffset;

        /// <summary>Set in <see cref="Flags"/>: the server answers without an event.</summary>
        public const uint QuietReply = 1;

        [FieldOffset(0)] public ulong Magic;
        /// <summary>The number of the last request (dom0 writes it last).</summary>
        [FieldOffset(8)] public ulong Request;
        /// <summary>The number of the last request answered (the server writes it last).</summary>
        [FieldOffset(16)] public ulong Handled;
        [FieldOffset(24)] public uint Command;
        [FieldOffset(28)] public uint Flags;
        [FieldOffset(32)] public fixed long Args[MaxArgs];
        [FieldOffset(96)] public fixed long Results[MaxResults];
        /// <summary>Words both sides may use between requests (a suite's own protocol).</summary>
        [FieldOffset(352)] public fixed ulong Shared[32];
        /// <summary>How many times the server rebound its control port (after a reset closed it).</summary>
        [FieldOffset(608)] public ulong Rebinds;
        [FieldOffset(ScratchOffset)] public fixed byte Scratch[ScratchBytes];
    }
}
