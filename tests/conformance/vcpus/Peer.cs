using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// dom0's view of the peer's output: its report page (<see cref="PeerChannel"/>) and text frames, read
    /// through the builder's window, and replayed line by line into dom0's suite.
    /// </summary>
    internal static unsafe class Peer
    {
        /// <summary>dom0's port for the peer (alloc_unbound).</summary>
        public static uint Port;

        /// <summary>Replays what the peer wrote; true when it marked its tests finished.</summary>
        public static bool Replay(TestSuite suite, DomainBuilder builder)
        {
            PeerChannel* copy = (PeerChannel*)GuestMemory.AllocatePages(1);
            byte* page = builder.MapPage(builder.Layout.Report, false);
            if (page == null)
            {
                builder.WriteFailure(suite.Fail("peer_report_page")).End();
                return false;
            }
            Copy(page, (byte*)copy);
            builder.Window.Restore();
            uint length = copy->TextLength;
            uint frames = copy->FrameCount < PeerChannel.MaxFrames ? copy->FrameCount : PeerChannel.MaxFrames;
            if (length > frames * PeerChannel.PageSize)
                length = frames * PeerChannel.PageSize;
            byte* text = GuestMemory.AllocatePages(frames == 0 ? 1 : frames);
            for (uint f = 0; f * PeerChannel.PageSize < length; f++)
            {
                long rc = builder.Window.Map(builder.Domain, copy->Frames[f], false);
                if (rc != 0)
                {
                    suite.Fail("peer_text_frame").Text("mapping frame ").Hex(copy->Frames[f]).Text(" returned ").Result(rc).End();
                    builder.Window.Restore();
                    return false;
                }
                Copy(builder.Window.Page, text + f * PeerChannel.PageSize);
            }
            builder.Window.Restore();

            uint lineStart = 0;
            for (uint i = 0; i < length; i++)
            {
                if (text[i] != (byte)'\n')
                    continue;
                suite.Replay(text + lineStart, (int)(i - lineStart));
                lineStart = i + 1;
            }
            if (lineStart < length)
                suite.Replay(text + lineStart, (int)(length - lineStart));
            return copy->Magic == PeerChannel.MagicValue;
        }

        private static void Copy(byte* from, byte* to)
        {
            ulong* f = (ulong*)from;
            ulong* t = (ulong*)to;
            for (int i = 0; i < PeerChannel.PageSize / 8; i++)
                t[i] = f[i];
        }
    }
}
