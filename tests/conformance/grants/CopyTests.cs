using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// GNTTABOP_copy within dom0: between its own frames (gmfn with DOMID_SELF), from and to its own
    /// grants (a grant reference with DOMID_SELF or its numeric id), and each refusal: beyond the page,
    /// a gmfn with a named domain, frames it does not own, a page-table destination, grants it may not
    /// use. Patterns: P 0x50.., Q 0x51.., R 0x52.. (refilled before each test).
    /// </summary>
    internal static unsafe class CopyTests
    {
        public static void Run(TestSuite suite)
        {
            Refs.Publish();
            Frames(suite);
            ThroughGrants(suite);
            Errors(suite);
            Batch(suite);
            Pages.Refill();
        }

        private static GnttabCopy Op(ulong source, ushort sourceDom, ushort sourceOffset, ulong dest, ushort destDom, ushort destOffset, ushort length, ushort flags)
            => GrantTables.CopyOperation(source, sourceDom, sourceOffset, dest, destDom, destOffset, length, flags);

        private static short Run(TestSuite suite, string test, short expected, GnttabCopy op)
        {
            long rc = GrantTables.Copy(&op);
            Expect.Status(suite, test, expected, rc, op.Status);
            return op.Status;
        }

        /// <summary>True when bytes [from, to) of the page hold <paramref name="b"/> and the rest <paramref name="rest"/>'s bytes.</summary>
        private static bool Bytes(ulong page, int from, int to, byte b, ulong rest)
        {
            byte* p = (byte*)page;
            byte* r = (byte*)&rest;
            for (int i = 0; i < 4096; i++)
            {
                byte want = i >= from && i < to ? b : r[i & 7];
                if (p[i] != want)
                    return false;
            }
            return true;
        }

        private static void Frames(TestSuite suite)
        {
            Pages.Refill();
            long rc = GrantTables.CopyFrames(Pages.MfnP, 0, Pages.MfnR, 0, 4096, out short status);
            Expect.Status(suite, "copy_frames_whole_page", GrantStatus.Okay, rc, status);
            suite.Check("copy_frames_whole_page_data", Pages.Holds(Pages.R, Pages.PatternP), "R does not hold P's bytes");

            Pages.Refill();
            ((byte*)Pages.P)[100] = 0xEE;
            rc = GrantTables.CopyFrames(Pages.MfnP, 100, Pages.MfnR, 3000, 1, out status);
            Expect.Status(suite, "copy_frames_one_byte", GrantStatus.Okay, rc, status);
            suite.Check("copy_frames_one_byte_data", Bytes(Pages.R, 3000, 3001, 0xEE, Pages.PatternR), "R is not as expected");

            Pages.Refill();
            rc = GrantTables.CopyFrames(Pages.MfnP, 4000, Pages.MfnR, 0, 96, out status);
            Expect.Status(suite, "copy_frames_to_page_end", GrantStatus.Okay, rc, status);
            suite.Check("copy_frames_to_page_end_data", Holds96(), "R is not as expected");

            Pages.Refill();
            rc = GrantTables.CopyFrames(Pages.MfnP, 0, Pages.MfnR, 0, 0, out status);
            Expect.Status(suite, "copy_frames_length_0", GrantStatus.Okay, rc, status);
            suite.Check("copy_frames_length_0_data", Pages.Holds(Pages.R, Pages.PatternR), "R changed");

            // Within one frame.
            Pages.Refill();
            ((byte*)Pages.R)[0] = 0x77;
            rc = GrantTables.CopyFrames(Pages.MfnR, 0, Pages.MfnR, 2048, 1, out status);
            Expect.Status(suite, "copy_frames_same_frame", GrantStatus.Okay, rc, status);
            suite.Check("copy_frames_same_frame_data", ((byte*)Pages.R)[2048] == 0x77, "byte not copied");
            Pages.Refill();
        }

        // Offset 4000 is word 500 of P: R's first 12 words hold P's pattern, the rest R's.
        private static bool Holds96()
        {
            ulong* r = (ulong*)Pages.R;
            for (int i = 0; i < 12; i++)
            {
                if (r[i] != Pages.PatternP)
                    return false;
            }
            for (int i = 12; i < 512; i++)
            {
                if (r[i] != Pages.PatternR)
                    return false;
            }
            return true;
        }

        private static void ThroughGrants(TestSuite suite)
        {
            Pages.Refill();
            const ushort Src = GrantCopyFlags.SourceGref, Dst = GrantCopyFlags.DestGref;
            Run(suite, "copy_from_grant_self", GrantStatus.Okay, Op(Refs.Writable, DomainId.Self, 0, Pages.MfnR, DomainId.Self, 0, 4096, Src));
            suite.Check("copy_from_grant_self_data", Pages.Holds(Pages.R, Pages.PatternP), "R does not hold P's bytes");
            Expect.Flags(suite, "copy_from_grant_flags_after", GrantFlags.PermitAccess, GrantTables.FlagsOf(Refs.Writable));

            Pages.Refill();
            Run(suite, "copy_from_grant_own_id", GrantStatus.Okay, Op(Refs.Writable, Pages.Dom0, 0, Pages.MfnR, DomainId.Self, 0, 4096, Src));
            suite.Check("copy_from_grant_own_id_data", Pages.Holds(Pages.R, Pages.PatternP), "R does not hold P's bytes");

            Pages.Refill();
            Run(suite, "copy_from_readonly_grant", GrantStatus.Okay, Op(Refs.ReadOnly, DomainId.Self, 0, Pages.MfnR, DomainId.Self, 0, 4096, Src));
            Expect.Flags(suite, "copy_from_readonly_grant_flags_after", (ushort)(GrantFlags.PermitAccess | GrantFlags.ReadOnly), GrantTables.FlagsOf(Refs.ReadOnly));

            Pages.Refill();
            Run(suite, "copy_to_grant", GrantStatus.Okay, Op(Pages.MfnR, DomainId.Self, 0, Refs.WritableQ, Pages.Dom0, 0, 4096, Dst));
            suite.Check("copy_to_grant_data", Pages.Holds(Pages.Q, Pages.PatternR), "Q does not hold R's bytes");
            Expect.Flags(suite, "copy_to_grant_flags_after", GrantFlags.PermitAccess, GrantTables.FlagsOf(Refs.WritableQ));

            Pages.Refill();
            Run(suite, "copy_grant_to_grant", GrantStatus.Okay, Op(Refs.Writable, DomainId.Self, 8, Refs.WritableQ, DomainId.Self, 16, 64, Src | Dst));
            suite.Check("copy_grant_to_grant_data", QHoldsPAt16(), "Q is not as expected");

            Pages.Refill();
            Run(suite, "copy_to_readonly_grant", GrantStatus.GeneralError, Op(Pages.MfnR, DomainId.Self, 0, Refs.ReadOnlyQ, DomainId.Self, 0, 8, Dst));
            suite.Check("copy_to_readonly_grant_untouched", Pages.Holds(Pages.Q, Pages.PatternQ), "Q changed");
            Expect.Flags(suite, "copy_to_readonly_grant_flags_after", (ushort)(GrantFlags.PermitAccess | GrantFlags.ReadOnly), GrantTables.FlagsOf(Refs.ReadOnlyQ));

            // Copying from a grant that is mapped at the same time.
            GrantTables.Map(Pages.Window, GrantMapFlags.HostMap | GrantMapFlags.ReadOnly, Pages.Dom0, Refs.Writable, out GnttabMapGrantRef map);
            Pages.Refill();
            Run(suite, "copy_from_mapped_grant", GrantStatus.Okay, Op(Refs.Writable, DomainId.Self, 0, Pages.MfnR, DomainId.Self, 0, 4096, Src));
            Expect.Flags(suite, "copy_from_mapped_grant_keeps_reading", (ushort)(GrantFlags.PermitAccess | GrantFlags.Reading), GrantTables.FlagsOf(Refs.Writable));
            Run(suite, "copy_to_mapped_grant", GrantStatus.Okay, Op(Pages.MfnR, DomainId.Self, 0, Refs.Writable, DomainId.Self, 0, 8, Dst));
            Expect.Flags(suite, "copy_to_mapped_grant_flags_after", (ushort)(GrantFlags.PermitAccess | GrantFlags.Reading), GrantTables.FlagsOf(Refs.Writable));
            GrantTables.Unmap(Pages.Window, 0, map.Handle, out _);
            Pages.Clear(Pages.Window);
            Pages.Refill();
        }

        private static bool QHoldsPAt16()
        {
            ulong* q = (ulong*)Pages.Q;
            for (int i = 0; i < 512; i++)
            {
                ulong want = i >= 2 && i < 10 ? Pages.PatternP : Pages.PatternQ;
                if (q[i] != want)
                    return false;
            }
            return true;
        }

        private static void Errors(TestSuite suite)
        {
            const ushort Src = GrantCopyFlags.SourceGref, Dst = GrantCopyFlags.DestGref;
            Pages.Refill();
            Run(suite, "copy_source_past_page", GrantStatus.BadCopyArg, Op(Pages.MfnP, DomainId.Self, 4000, Pages.MfnR, DomainId.Self, 0, 97, 0));
            Run(suite, "copy_dest_past_page", GrantStatus.BadCopyArg, Op(Pages.MfnP, DomainId.Self, 0, Pages.MfnR, DomainId.Self, 4095, 2, 0));
            Run(suite, "copy_length_past_page", GrantStatus.BadCopyArg, Op(Pages.MfnP, DomainId.Self, 0, Pages.MfnR, DomainId.Self, 0, 4097, 0));
            Run(suite, "copy_grant_past_page", GrantStatus.BadCopyArg, Op(Refs.Writable, DomainId.Self, 4095, Pages.MfnR, DomainId.Self, 0, 2, Src));
            suite.Check("copy_past_page_untouched", Pages.Holds(Pages.R, Pages.PatternR), "R changed");

            Run(suite, "copy_source_gmfn_own_id", GrantStatus.PermissionDenied, Op(Pages.MfnP, Pages.Dom0, 0, Pages.MfnR, DomainId.Self, 0, 8, 0));
            Run(suite, "copy_dest_gmfn_missing_domain", GrantStatus.BadDomain, Op(Pages.MfnP, DomainId.Self, 0, Pages.MfnR, 1, 0, 8, 0));
            Run(suite, "copy_source_gmfn_missing_domain", GrantStatus.BadDomain, Op(Pages.MfnP, 7, 0, Pages.MfnR, DomainId.Self, 0, 8, 0));
            Run(suite, "copy_source_foreign_frame", GrantStatus.BadPage, Op(Pages.ForeignMfn, DomainId.Self, 0, Pages.MfnR, DomainId.Self, 0, 8, 0));
            Run(suite, "copy_dest_foreign_frame", GrantStatus.BadPage, Op(Pages.MfnP, DomainId.Self, 0, Pages.ForeignMfn, DomainId.Self, 0, 8, 0));
            Run(suite, "copy_source_frame_beyond_ram", GrantStatus.BadPage, Op(0xFFFFFFFUL, DomainId.Self, 0, Pages.MfnR, DomainId.Self, 0, 8, 0));
            Run(suite, "copy_dest_page_table", GrantStatus.GeneralError, Op(Pages.MfnP, DomainId.Self, 0, Pages.L4Mfn, DomainId.Self, 0, 8, 0));
            Run(suite, "copy_source_page_table", GrantStatus.Okay, Op(Pages.L4Mfn, DomainId.Self, 0, Pages.MfnR, DomainId.Self, 0, 8, 0));
            Pages.Refill();
            Run(suite, "copy_dest_grant_of_page_table", GrantStatus.GeneralError, Op(Pages.MfnP, DomainId.Self, 0, Refs.PageTable, DomainId.Self, 0, 8, Dst));
            Expect.Flags(suite, "copy_dest_grant_of_page_table_flags", GrantFlags.PermitAccess, GrantTables.FlagsOf(Refs.PageTable));

            GrantTables.QuerySize(out uint frames, out _, out _);
            Run(suite, "copy_grant_missing_domain", GrantStatus.BadDomain, Op(Refs.Writable, 7, 0, Pages.MfnR, DomainId.Self, 0, 8, Src));
            Run(suite, "copy_grant_past_table", GrantStatus.BadGntref, Op(frames * GrantTables.EntriesPerFrame, DomainId.Self, 0, Pages.MfnR, DomainId.Self, 0, 8, Src));
            Run(suite, "copy_grant_to_other_domain", GrantStatus.GeneralError, Op(Refs.OtherDomain, DomainId.Self, 0, Pages.MfnR, DomainId.Self, 0, 8, Src));
            Run(suite, "copy_grant_invalid_entry", GrantStatus.GeneralError, Op(Refs.Invalid, DomainId.Self, 0, Pages.MfnR, DomainId.Self, 0, 8, Src));
            Run(suite, "copy_grant_sub_page_entry_v1", GrantStatus.Okay, Op(Refs.SubPage, DomainId.Self, 0, Pages.MfnR, DomainId.Self, 0, 8, Src));
            Run(suite, "copy_grant_foreign_frame", GrantStatus.BadPage, Op(Refs.Foreign, DomainId.Self, 0, Pages.MfnR, DomainId.Self, 0, 8, Src));
            Expect.Flags(suite, "copy_grant_foreign_frame_flags", GrantFlags.PermitAccess, GrantTables.FlagsOf(Refs.Foreign));
            // Which check comes first: the page bounds or the frame.
            Run(suite, "copy_foreign_frame_past_page", GrantStatus.BadPage, Op(Pages.ForeignMfn, DomainId.Self, 4095, Pages.MfnR, DomainId.Self, 0, 8, 0));
            Pages.Refill();
        }

        private static void Batch(TestSuite suite)
        {
            Pages.Refill();
            GnttabCopy* ops = stackalloc GnttabCopy[3];
            ops[0] = Op(Pages.MfnP, DomainId.Self, 0, Pages.MfnR, DomainId.Self, 0, 8, 0);
            ops[1] = Op(Pages.MfnP, DomainId.Self, 4095, Pages.MfnR, DomainId.Self, 0, 8, 0);
            ops[2] = Op(Pages.MfnQ, DomainId.Self, 0, Pages.MfnR, DomainId.Self, 8, 8, 0);
            long rc = Hypercalls.GrantTableOp(GrantTableOp.Copy, ops, 3);
            suite.Result("copy_batch", rc == 0 && ops[0].Status == 0 && ops[1].Status == GrantStatus.BadCopyArg && ops[2].Status == 0)
                .Text(" returned ").Result(rc).Text(", statuses ").GrantStatus(ops[0].Status).Text(", ").GrantStatus(ops[1].Status)
                .Text(", ").GrantStatus(ops[2].Status).End();
            ulong* r = (ulong*)Pages.R;
            suite.Check("copy_batch_data", r[0] == Pages.PatternP && r[1] == Pages.PatternQ && r[2] == Pages.PatternR, "R is not as expected");
            // The rest of each op is left as it was: only the status is written back.
            suite.Check("copy_batch_ops_unchanged", ops[1].Source.Offset == 4095 && ops[1].Len == 8 && ops[2].Dest.Offset == 8, "an op's input changed");
            Pages.Refill();
        }
    }
}
