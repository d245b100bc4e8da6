using System.Runtime.InteropServices;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// How the peer's test lines reach dom0. On Xen a domU may not use the console, so the peer's kit
    /// console writes into text pages of its own (<see cref="Capture"/>), whose machine frames it lists in
    /// its report page (the builder's spare page, whose address dom0 gives it); dom0 maps the report page
    /// and each text frame through the builder's window and replays the lines as its own test results.
    /// <see cref="Magic"/> is written last, when the peer's tests are over.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 4096)]
    internal unsafe struct PeerChannel
    {
        /// <summary>"VCPUDONE" as a little-endian number.</summary>
        public const ulong MagicValue = 0x454E4F4455504356UL;
        public const int MaxFrames = 16;
        public const int PageSize = 4096;

        [FieldOffset(0)] public ulong Magic;
        /// <summary>Bytes of text written so far (lines end with '\n').</summary>
        [FieldOffset(8)] public uint TextLength;
        [FieldOffset(12)] public uint FrameCount;
        /// <summary>The machine frames of the text pages, in order.</summary>
        [FieldOffset(16)] public fixed ulong Frames[MaxFrames];

        private static PeerChannel* s_channel;
        private static byte* s_text;

        /// <summary>Peer side: publishes text pages in <paramref name="channel"/> and sends the console's
        /// lines there from now on.</summary>
        public static void Capture(PeerChannel* channel)
        {
            s_channel = channel;
            s_text = GuestMemory.AllocatePages(MaxFrames);
            channel->Magic = 0;
            channel->TextLength = 0;
            for (int i = 0; i < MaxFrames; i++)
                channel->Frames[i] = MachineFrames.Of(s_text + i * PageSize);
            channel->FrameCount = MaxFrames;
            GuestConsole.SetSink(&Append);
        }

        private static void Append(byte* line, int length)
        {
            uint at = s_channel->TextLength;
            uint capacity = MaxFrames * PageSize;
            for (int i = 0; i < length && at < capacity; i++)
                s_text[at++] = line[i];
            s_channel->TextLength = at;
        }
    }
}
