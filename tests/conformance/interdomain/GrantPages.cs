using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// What the grant tests share. Dom0: its grant table mapped, data pages (<see cref="Own"/>, each
    /// filled as a test needs) and two windows (heap pages unmapped with update_va_mapping: free
    /// addresses whose L1 entry exists, where map_grant_ref puts its mappings). The peer: its grant
    /// table mapped, four pages G0-G3 of known bytes (<see cref="Bytes.Fill"/>), and its grants to dom0:
    /// G0 writable, G1 read-only, G2 to a domain that is not dom0.
    /// </summary>
    internal static unsafe class GrantPages
    {
        public const uint RefWritable = 10;
        public const uint RefReadOnly = 11;
        public const uint RefOtherDomain = 12;
        /// <summary>A ref the peer never grants.</summary>
        public const uint RefUngranted = 20;
        /// <summary>The domain id of <see cref="RefOtherDomain"/>: no domain has it.</summary>
        public const ushort OtherDomain = 42;

        /// <summary>The byte patterns of G0 and G1 (multiplier, offset).</summary>
        public const long G0Multiplier = 7, G0Offset = 1, G1Multiplier = 11, G1Offset = 3;

        public const int OwnPages = 6;

        public static ulong Window, Window2;
        public static ulong[] Own = new ulong[OwnPages];
        public static ulong[] OwnFrames = new ulong[OwnPages];

        public static ulong PeerPages;
        public static ulong[] PeerFrames = new ulong[4];

        public static bool Ready;

        public static ulong PeerPage(int i) => PeerPages + (ulong)i * 4096;

        public static void Setup(TestSuite suite)
        {
            Ready = false;
            if (!Remote.Alive(suite, "grant_setup"))
                return;
            ulong pages = (ulong)GuestMemory.AllocatePages(2 + OwnPages);
            Window = pages;
            Window2 = pages + 4096;
            for (int i = 0; i < OwnPages; i++)
            {
                Own[i] = pages + (ulong)(2 + i) * 4096;
                OwnFrames[i] = MachineFrames.Of(Own[i]);
            }
            long w1 = Hypercalls.UpdateVaMapping(Window, 0, PageFlags.UvmfInvlpg);
            long w2 = Hypercalls.UpdateVaMapping(Window2, 0, PageFlags.UvmfInvlpg);
            suite.Result("dom0_windows_unmapped", w1 == 0 && w2 == 0).Text(" update_va_mapping returned ").Result(w1).Text(" and ").Result(w2).End();

            long rc = Remote.Value(0, PeerCommand.GrantSetup);
            suite.Result("peer_grant_table_mapped", rc == 0).Text(" returned ").Result(rc).Text(", table frame ").Hex((ulong)Remote.R(1)).End();
            PeerPages = (ulong)Remote.Value(0, PeerCommand.Allocate, 4);
            bool frames = true;
            for (int i = 0; i < 4; i++)
            {
                long frame = Remote.Value(0, PeerCommand.FrameOf, (long)PeerPage(i));
                PeerFrames[i] = (ulong)frame;
                frames &= frame > 0;
            }
            suite.Result("peer_pages", frames).Text(" at ").Hex(PeerPages).Text(", frames ").Hex(PeerFrames[0]).Text(" ").Hex(PeerFrames[1])
                .Text(" ").Hex(PeerFrames[2]).Text(" ").Hex(PeerFrames[3]).End();
            Ready = rc == 0 && frames && w1 == 0 && w2 == 0 && GrantTables.Entries != null;
            if (Ready)
                Republish();
        }

        /// <summary>Refills G0 and G1 and grants them again (a test may have changed or revoked them).</summary>
        public static void Republish()
        {
            Remote.Call(PeerCommand.Fill, (long)PeerPage(0), G0Multiplier, G0Offset);
            Remote.Call(PeerCommand.Fill, (long)PeerPage(1), G1Multiplier, G1Offset);
            Remote.Call(PeerCommand.Grant, RefWritable, 0, (long)PeerFrames[0], 0);
            Remote.Call(PeerCommand.Grant, RefReadOnly, 0, (long)PeerFrames[1], 1);
            Remote.Call(PeerCommand.Grant, RefOtherDomain, OtherDomain, (long)PeerFrames[2], 0);
        }

        /// <summary>The hash of the first <paramref name="length"/> bytes of a page filled with (multiplier, offset).</summary>
        public static long PatternHash(long multiplier, long offset, int start, int length)
        {
            byte* page = stackalloc byte[4096];
            Bytes.Fill(page, multiplier, offset);
            return Bytes.Hash(page + start, length);
        }

        /// <summary>The peer's grant entry flags (0xFFFF when it did not answer).</summary>
        public static ushort PeerFlags(uint reference)
        {
            long flags = Remote.Value(0, PeerCommand.EntryFlags, reference);
            return flags < 0 ? (ushort)0xFFFF : (ushort)flags;
        }

        /// <summary>True when the address can be read (a probe that takes no fault).</summary>
        public static bool Readable(ulong va) => Probe.ReadFaultVector(va) < 0;
    }
}
