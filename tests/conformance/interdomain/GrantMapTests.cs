using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// Dom0 maps the peer's grants (map_grant_ref, GNTMAP_host_map): a writable grant shows the peer's
    /// bytes, writes go both ways, the peer's entry says GTF_reading|GTF_writing and the peer cannot
    /// revoke it until dom0 unmaps (which clears them); a read-only grant mapped read-only refuses
    /// writes (#PF) and may not be mapped writable; a grant the peer revokes by clearing its entry
    /// while mapped stays mapped and usable (the hypervisor works from its pinned record, as Xen does)
    /// until unmapped, and is refused after. Refs past the peer's table, refs it never granted and
    /// grants to another domain are refused with Xen's status.
    /// </summary>
    internal static unsafe class GrantMapTests
    {
        private const uint Host = GrantMapFlags.HostMap;
        private const uint HostRo = GrantMapFlags.HostMap | GrantMapFlags.ReadOnly;
        private const ushort Permit = GrantFlags.PermitAccess;

        public static void Run(TestSuite suite)
        {
            GrantPages.Setup(suite);
            if (!GrantPages.Ready)
            {
                suite.Skip("grant_map", "the grant pages could not be set up");
                return;
            }
            Writable(suite);
            ReadOnly(suite);
            RevokedWhileMapped(suite);
            Refusals(suite);
            GrantPages.Republish();
        }

        private static void Writable(TestSuite suite)
        {
            ushort peer = Remote.Id;
            ulong window = GrantPages.Window;
            ulong g0 = GrantPages.PeerPage(0);
            long rc = GrantTables.Map(window, Host, peer, GrantPages.RefWritable, out GnttabMapGrantRef op);
            if (!Expect.Status(suite, "map_peer_grant_writable", GrantStatus.Okay, rc, op.Status))
                return;
            long expected = GrantPages.PatternHash(GrantPages.G0Multiplier, GrantPages.G0Offset, 0, 4096);
            suite.Check("mapping_shows_peer_bytes", GrantPages.Readable(window) && Bytes.Hash((byte*)window, 4096) == expected,
                "the window does not hold the peer's page");
            suite.EqualHex("map_reports_frame_bus_address", GrantPages.PeerFrames[0] << 12, op.DevBusAddr);
            Expect.Flags(suite, "peer_entry_reading_writing", (ushort)(Permit | GrantFlags.Reading | GrantFlags.Writing), GrantPages.PeerFlags(GrantPages.RefWritable));
            suite.Equal("peer_cannot_revoke_mapped_grant", 0, (ulong)Remote.Value(0, PeerCommand.EndAccess, GrantPages.RefWritable));

            bool wrote = Probe.TryWrite(window + 8, 0x0123456789ABCDEFUL);
            suite.Result("dom0_write_reaches_peer_page", wrote && Remote.Peek(g0 + 8) == 0x0123456789ABCDEF)
                .Text(" the peer reads ").Hex((ulong)Remote.Peek(g0 + 8)).End();
            Remote.Poke(g0 + 16, 0xFEDCBA9876543210UL);
            suite.Check("peer_write_seen_through_mapping", Probe.TryRead(window + 16, out ulong seen) && seen == 0xFEDCBA9876543210UL,
                "the mapping does not show the peer's write");

            rc = GrantTables.Unmap(window, 0, op.Handle, out short status);
            Expect.Status(suite, "unmap_peer_grant", GrantStatus.Okay, rc, status);
            Expect.Flags(suite, "unmap_clears_peer_flags", Permit, GrantPages.PeerFlags(GrantPages.RefWritable));
            suite.Check("unmap_leaves_window_empty", !GrantPages.Readable(window), "the window still maps something");
            suite.Equal("peer_revokes_after_unmap", 1, (ulong)Remote.Value(0, PeerCommand.EndAccess, GrantPages.RefWritable));
            GrantPages.Republish();
        }

        private static void ReadOnly(TestSuite suite)
        {
            ushort peer = Remote.Id;
            ulong window = GrantPages.Window;
            long rc = GrantTables.Map(window, HostRo, peer, GrantPages.RefReadOnly, out GnttabMapGrantRef op);
            if (!Expect.Status(suite, "map_peer_grant_readonly", GrantStatus.Okay, rc, op.Status))
                return;
            Expect.Flags(suite, "peer_entry_reading_readonly", (ushort)(Permit | GrantFlags.ReadOnly | GrantFlags.Reading), GrantPages.PeerFlags(GrantPages.RefReadOnly));
            int vector = Probe.WriteFaultVector(window, 0x1111);
            suite.Result("readonly_mapping_write_faults", vector == 14).Text(" the write raised ")
                .Text(vector < 0 ? "nothing" : TrapNames.Mnemonic((ulong)vector)).End();
            long hash = Remote.Value(0, PeerCommand.Hash, (long)GrantPages.PeerPage(1), 4096);
            suite.Check("peer_page_unchanged_by_refused_write", hash == GrantPages.PatternHash(GrantPages.G1Multiplier, GrantPages.G1Offset, 0, 4096),
                "the peer's read-only page changed");
            rc = GrantTables.Map(GrantPages.Window2, Host, peer, GrantPages.RefReadOnly, out GnttabMapGrantRef writable);
            Expect.Status(suite, "map_readonly_grant_writable_refused", GrantStatus.GeneralError, rc, writable.Status);
            if (writable.Status == GrantStatus.Okay)
                GrantTables.Unmap(GrantPages.Window2, 0, writable.Handle, out _);
            rc = GrantTables.Unmap(window, 0, op.Handle, out short status);
            Expect.Status(suite, "unmap_peer_readonly_grant", GrantStatus.Okay, rc, status);
            Expect.Flags(suite, "unmap_readonly_clears_reading", (ushort)(Permit | GrantFlags.ReadOnly), GrantPages.PeerFlags(GrantPages.RefReadOnly));
        }

        // The granter clears its entry while dom0 maps it: the mapping, pinned, lives on until unmapped.
        private static void RevokedWhileMapped(TestSuite suite)
        {
            ushort peer = Remote.Id;
            ulong window = GrantPages.Window;
            ulong g0 = GrantPages.PeerPage(0);
            long rc = GrantTables.Map(window, Host, peer, GrantPages.RefWritable, out GnttabMapGrantRef first);
            if (!Expect.Status(suite, "map_before_revoke", GrantStatus.Okay, rc, first.Status))
                return;
            Remote.Call(PeerCommand.ForceRevoke, GrantPages.RefWritable);
            bool wrote = Probe.TryWrite(window + 24, 0x5245564F4B454421UL);
            suite.Result("revoked_grant_stays_mapped", wrote && Remote.Peek(g0 + 24) == 0x5245564F4B454421)
                .Text(" the peer reads ").Hex((ulong)Remote.Peek(g0 + 24)).End();
            rc = GrantTables.Map(GrantPages.Window2, HostRo, peer, GrantPages.RefWritable, out GnttabMapGrantRef second);
            Expect.Status(suite, "map_pinned_entry_after_revoke", GrantStatus.Okay, rc, second.Status);
            if (second.Status == GrantStatus.Okay)
                GrantTables.Unmap(GrantPages.Window2, 0, second.Handle, out _);
            rc = GrantTables.Unmap(window, 0, first.Handle, out short status);
            Expect.Status(suite, "unmap_revoked_grant", GrantStatus.Okay, rc, status);
            Expect.Flags(suite, "revoked_entry_flags_after_unmap", 0, GrantPages.PeerFlags(GrantPages.RefWritable));
            rc = GrantTables.Map(window, HostRo, peer, GrantPages.RefWritable, out GnttabMapGrantRef after);
            Expect.Status(suite, "map_revoked_entry_refused", GrantStatus.GeneralError, rc, after.Status);
            if (after.Status == GrantStatus.Okay)
                GrantTables.Unmap(window, 0, after.Handle, out _);
            GrantPages.Republish();
        }

        private static void Refusals(TestSuite suite)
        {
            ushort peer = Remote.Id;
            GnttabQuerySize size = default;
            size.Dom = DomainId.Self;
            Remote.GrantOp(GrantTableOp.QuerySize, &size, sizeof(GnttabQuerySize), 1);
            uint entries = size.NrFrames * GrantTables.EntriesPerFrame;
            One(suite, "map_ref_past_peer_table", GrantStatus.BadGntref, peer, entries);
            One(suite, "map_ungranted_peer_ref", GrantStatus.GeneralError, peer, GrantPages.RefUngranted);
            One(suite, "map_peer_grant_to_other_domain", GrantStatus.GeneralError, peer, GrantPages.RefOtherDomain);
            Expect.Flags(suite, "refused_map_leaves_entry", Permit, GrantPages.PeerFlags(GrantPages.RefOtherDomain));
        }

        private static void One(TestSuite suite, string test, short expected, ushort granter, uint reference)
        {
            long rc = GrantTables.Map(GrantPages.Window, HostRo, granter, reference, out GnttabMapGrantRef op);
            Expect.Status(suite, test, expected, rc, op.Status);
            if (op.Status == GrantStatus.Okay)
                GrantTables.Unmap(GrantPages.Window, 0, op.Handle, out _);
        }
    }
}
