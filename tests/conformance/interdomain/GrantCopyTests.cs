using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// GNTTABOP_copy across domains, byte ranges within a page: dom0 copies out of the peer's writable
    /// grant into its own frame and into that grant from its own frame; the peer copies out of and into
    /// a grant of dom0's. Only the named bytes change. A range that crosses the page's end
    /// (GNTST_bad_copy_arg), a copy into a read-only grant and out of a grant to another domain
    /// (GNTST_general_error) are refused; copies leave no GTF_reading/GTF_writing behind.
    /// </summary>
    internal static unsafe class GrantCopyTests
    {
        /// <summary>Dom0's ref granting <see cref="GrantPages.Own"/>[2] to the peer, writable.</summary>
        public const uint Dom0RefForPeer = 10;
        public const long OwnMultiplier = 13, OwnOffset = 5, SharedMultiplier = 17, SharedOffset = 9;

        public static void Run(TestSuite suite)
        {
            if (!GrantPages.Ready || !Remote.Alive(suite, "grant_copy"))
            {
                suite.Skip("grant_copy", "the grant pages were not set up");
                return;
            }
            FromPeerGrant(suite);
            IntoPeerGrant(suite);
            Refusals(suite);
            PeerCopies(suite);
            GrantPages.Republish();
        }

        private static GnttabCopy Op(ulong source, ushort sourceDom, ushort sourceOffset, ulong dest, ushort destDom, ushort destOffset, ushort length, ushort flags)
            => GrantTables.CopyOperation(source, sourceDom, sourceOffset, dest, destDom, destOffset, length, flags);

        private static void FromPeerGrant(TestSuite suite)
        {
            byte* own = (byte*)GrantPages.Own[0];
            for (int i = 0; i < 4096; i++)
                own[i] = 0xEE;
            GnttabCopy op = Op(GrantPages.RefWritable, Remote.Id, 100, GrantPages.OwnFrames[0], DomainId.Self, 3000, 64, GrantCopyFlags.SourceGref);
            long rc = GrantTables.Copy(&op);
            Expect.Status(suite, "copy_from_peer_grant", GrantStatus.Okay, rc, op.Status);
            bool bytes = true;
            for (int i = 0; i < 4096; i++)
            {
                byte want = i >= 3000 && i < 3064 ? Bytes.At(100 + i - 3000, GrantPages.G0Multiplier, GrantPages.G0Offset) : (byte)0xEE;
                bytes &= own[i] == want;
            }
            suite.Check("copy_from_peer_grant_bytes", bytes, "dom0's page does not hold exactly the 64 bytes copied");
            Expect.Flags(suite, "copy_leaves_peer_entry_clear", GrantFlags.PermitAccess, GrantPages.PeerFlags(GrantPages.RefWritable));
        }

        private static void IntoPeerGrant(TestSuite suite)
        {
            byte* own = (byte*)GrantPages.Own[1];
            Bytes.Fill(own, OwnMultiplier, OwnOffset);
            GnttabCopy op = Op(GrantPages.OwnFrames[1], DomainId.Self, 10, GrantPages.RefWritable, Remote.Id, 4000, 96, GrantCopyFlags.DestGref);
            long rc = GrantTables.Copy(&op);
            Expect.Status(suite, "copy_into_peer_grant", GrantStatus.Okay, rc, op.Status);
            ulong g0 = GrantPages.PeerPage(0);
            long copied = Remote.Value(0, PeerCommand.Hash, (long)(g0 + 4000), 96);
            long before = Remote.Value(0, PeerCommand.Hash, (long)g0, 4000);
            suite.Check("copy_into_peer_grant_bytes", copied == Bytes.Hash(own + 10, 96)
                && before == GrantPages.PatternHash(GrantPages.G0Multiplier, GrantPages.G0Offset, 0, 4000),
                "the peer's page does not hold exactly the 96 bytes copied at 4000");
        }

        private static void Refusals(TestSuite suite)
        {
            ushort peer = Remote.Id;
            GnttabCopy op = Op(GrantPages.RefWritable, peer, 4000, GrantPages.OwnFrames[0], DomainId.Self, 0, 200, GrantCopyFlags.SourceGref);
            Expect.Status(suite, "copy_source_crossing_page_end", GrantStatus.BadCopyArg, GrantTables.Copy(&op), op.Status);
            op = Op(GrantPages.OwnFrames[0], DomainId.Self, 0, GrantPages.RefWritable, peer, 4090, 16, GrantCopyFlags.DestGref);
            Expect.Status(suite, "copy_dest_crossing_page_end", GrantStatus.BadCopyArg, GrantTables.Copy(&op), op.Status);
            op = Op(GrantPages.OwnFrames[0], DomainId.Self, 0, GrantPages.RefReadOnly, peer, 0, 64, GrantCopyFlags.DestGref);
            Expect.Status(suite, "copy_into_readonly_grant_refused", GrantStatus.GeneralError, GrantTables.Copy(&op), op.Status);
            long hash = Remote.Value(0, PeerCommand.Hash, (long)GrantPages.PeerPage(1), 4096);
            suite.Check("readonly_grant_page_unchanged", hash == GrantPages.PatternHash(GrantPages.G1Multiplier, GrantPages.G1Offset, 0, 4096),
                "the peer's read-only page changed");
            op = Op(GrantPages.RefOtherDomain, peer, 0, GrantPages.OwnFrames[0], DomainId.Self, 0, 64, GrantCopyFlags.SourceGref);
            Expect.Status(suite, "copy_from_grant_to_other_domain_refused", GrantStatus.GeneralError, GrantTables.Copy(&op), op.Status);
        }

        // The peer is the one copying, out of and into dom0's grant.
        private static void PeerCopies(TestSuite suite)
        {
            byte* shared = (byte*)GrantPages.Own[2];
            Bytes.Fill(shared, SharedMultiplier, SharedOffset);
            GrantTables.Grant(Dom0RefForPeer, Remote.Id, GrantPages.OwnFrames[2], false);
            GnttabCopy op = Op(Dom0RefForPeer, 0, 0, GrantPages.PeerFrames[3], DomainId.Self, 0, 4096, GrantCopyFlags.SourceGref);
            long rc = Remote.GrantOp(GrantTableOp.Copy, &op, sizeof(GnttabCopy), 1);
            Expect.Status(suite, "peer_copies_from_dom0_grant", GrantStatus.Okay, rc, op.Status);
            long hash = Remote.Value(0, PeerCommand.Hash, (long)GrantPages.PeerPage(3), 4096);
            suite.Check("peer_copy_from_dom0_grant_bytes", hash == Bytes.Hash(shared, 4096), "the peer's page does not hold dom0's bytes");

            op = Op(GrantPages.PeerFrames[0], DomainId.Self, 0, Dom0RefForPeer, 0, 2048, 100, GrantCopyFlags.DestGref);
            rc = Remote.GrantOp(GrantTableOp.Copy, &op, sizeof(GnttabCopy), 1);
            Expect.Status(suite, "peer_copies_into_dom0_grant", GrantStatus.Okay, rc, op.Status);
            bool bytes = true;
            for (int i = 0; i < 4096; i++)
            {
                byte want = i >= 2048 && i < 2148 ? Bytes.At(i - 2048, GrantPages.G0Multiplier, GrantPages.G0Offset) : Bytes.At(i, SharedMultiplier, SharedOffset);
                bytes &= shared[i] == want;
            }
            suite.Check("peer_copy_into_dom0_grant_bytes", bytes, "dom0's page does not hold exactly the 100 bytes copied at 2048");
            Expect.Flags(suite, "peer_copies_leave_dom0_entry_clear", GrantFlags.PermitAccess, GrantTables.FlagsOf(Dom0RefForPeer));
            GrantTables.EndAccess(Dom0RefForPeer);
        }
    }
}
