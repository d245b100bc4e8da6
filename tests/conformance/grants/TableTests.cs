using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// The table itself: query_size of a fresh table, get_version and set_version, setup_table (frames,
    /// limits, errors), then the first frame mapped at <see cref="Pages.TableVa"/> for the tests that
    /// write grant entries. The table only grows, so the sizes printed here are those of this run.
    /// </summary>
    internal static unsafe class TableTests
    {
        public static void Run(TestSuite suite)
        {
            Fresh(suite);
            Versions(suite);
            Setup(suite);
            SetupErrors(suite);
            MapFirstFrame(suite);
        }

        /// <summary>The most frames setup_table accepts (query_size's max_nr_frames).</summary>
        public static uint MaxFrames;

        private static void Fresh(TestSuite suite)
        {
            long rc = GrantTables.QuerySize(out uint nr, out uint max, out short status);
            Expect.Status(suite, "query_size_self", GrantStatus.Okay, rc, status);
            suite.Equal("query_size_fresh_nr_frames", 1, nr);
            suite.Equal("query_size_fresh_max_nr_frames", 64, max);
            MaxFrames = max;

            rc = GrantTables.QuerySize(out nr, out _, out status, Pages.Dom0);
            Expect.Status(suite, "query_size_own_id", GrantStatus.Okay, rc, status);
            rc = GrantTables.QuerySize(out _, out _, out status, 7);
            Expect.Status(suite, "query_size_missing_domain", GrantStatus.BadDomain, rc, status);
            rc = GrantTables.QuerySize(out _, out _, out status, DomainId.Xen);
            Expect.Status(suite, "query_size_domid_xen", GrantStatus.BadDomain, rc, status);

            GnttabQuerySize* two = stackalloc GnttabQuerySize[2];
            two[0].Dom = DomainId.Self;
            two[1].Dom = DomainId.Self;
            suite.Errno("query_size_count_2", XenErrno.EINVAL, Hypercalls.GrantTableOp(GrantTableOp.QuerySize, two, 2));
            suite.Errno("query_size_count_0", XenErrno.EINVAL, Hypercalls.GrantTableOp(GrantTableOp.QuerySize, two, 0));
        }

        private static void Versions(TestSuite suite)
        {
            long rc = GrantTables.GetVersion(out uint version);
            suite.Returns("get_version_self", 0, rc);
            suite.Equal("get_version_fresh", 1, version);
            rc = GrantTables.GetVersion(out version, Pages.Dom0);
            suite.Check("get_version_own_id", rc == 0 && version == 1, "expected 0 and version 1");
            suite.Errno("get_version_missing_domain", XenErrno.ESRCH, GrantTables.GetVersion(out _, 7));

            // Neither looks at the count.
            GnttabGetVersion get = default;
            get.Dom = DomainId.Self;
            rc = Hypercalls.GrantTableOp(GrantTableOp.GetVersion, &get, 0);
            suite.Check("get_version_count_0", rc == 0 && get.Version == 1, "expected 0 and version 1");
            get.Version = 77;
            rc = Hypercalls.GrantTableOp(GrantTableOp.GetVersion, &get, 5);
            suite.Check("get_version_count_5", rc == 0 && get.Version == 1, "expected 0 and version 1");
            GnttabSetVersion set;
            set.Version = 1;
            suite.Returns("set_version_count_0", 0, Hypercalls.GrantTableOp(GrantTableOp.SetVersion, &set, 0));
            suite.Returns("set_version_count_3", 0, Hypercalls.GrantTableOp(GrantTableOp.SetVersion, &set, 3));

            rc = GrantTables.SetVersion(1, out uint inForce);
            suite.Returns("set_version_1", 0, rc);
            suite.Equal("set_version_1_reports", 1, inForce);
            rc = GrantTables.SetVersion(0, out inForce);
            suite.Errno("set_version_0", XenErrno.EINVAL, rc);
            suite.Equal("set_version_0_reports", 1, inForce);
            rc = GrantTables.SetVersion(3, out inForce);
            suite.Errno("set_version_3", XenErrno.EINVAL, rc);
            suite.Equal("set_version_3_reports", 1, inForce);

            // Version 2: this hypervisor keeps to v1 (divergences.txt); on Xen, whatever it accepts is
            // undone at once so the rest of the suite runs on v1.
            rc = GrantTables.SetVersion(2, out inForce);
            suite.Result("set_version_2_refused", rc == -XenErrno.EINVAL && inForce == 1).Text(" returned ").Result(rc)
                .Text(", version reported ").Dec(inForce).End();
            long back = GrantTables.SetVersion(1, out uint after);
            GrantTables.GetVersion(out version);
            suite.Check("set_version_back_to_1", back == 0 && after == 1 && version == 1, "version 1 not restored");
        }

        private static void Setup(TestSuite suite)
        {
            ulong* frames = stackalloc ulong[4];
            frames[0] = frames[1] = frames[2] = frames[3] = ulong.MaxValue;
            long rc = GrantTables.SetupTable(1, frames, out short status);
            Expect.Status(suite, "setup_table_1", GrantStatus.Okay, rc, status);
            suite.Result("setup_table_frame_written", frames[0] != ulong.MaxValue && frames[0] != 0 && frames[1] == ulong.MaxValue)
                .Text(" frame ").Hex(frames[0]).End();
            ulong first = frames[0];

            frames[0] = ulong.MaxValue;
            rc = GrantTables.SetupTable(1, frames, out status);
            suite.Check("setup_table_again_same_frame", rc == 0 && status == 0 && frames[0] == first, "frame changed or call failed");

            rc = GrantTables.SetupTable(0, frames, out status);
            Expect.Status(suite, "setup_table_0_frames", GrantStatus.Okay, rc, status);

            frames[0] = frames[1] = frames[2] = ulong.MaxValue;
            rc = GrantTables.SetupTable(2, frames, out status);
            Expect.Status(suite, "setup_table_grow_2", GrantStatus.Okay, rc, status);
            suite.Result("setup_table_grow_frames", frames[0] == first && frames[1] != ulong.MaxValue && frames[1] != first && frames[2] == ulong.MaxValue)
                .Text(" frames ").Hex(frames[0]).Text(", ").Hex(frames[1]).End();
            rc = GrantTables.QuerySize(out uint nr, out _, out status);
            suite.Equal("query_size_after_grow", 2, nr);

            rc = GrantTables.SetupTable(1, frames, out status, Pages.Dom0);
            Expect.Status(suite, "setup_table_own_id", GrantStatus.Okay, rc, status);

            // Only the status is written back.
            GnttabSetupTable op = default;
            op.Dom = DomainId.Self;
            op.NrFrames = 1;
            op.FrameList = (ulong)frames;
            op.Status = 55;
            rc = Hypercalls.GrantTableOp(GrantTableOp.SetupTable, &op, 1);
            suite.Check("setup_table_writes_back_status", rc == 0 && op.Status == 0 && op.NrFrames == 1 && op.Dom == DomainId.Self, "an input changed");
        }

        private static void SetupErrors(TestSuite suite)
        {
            ulong* frames = stackalloc ulong[2];
            long rc = GrantTables.SetupTable(MaxFrames + 1, frames, out short status);
            Expect.Status(suite, "setup_table_above_max", GrantStatus.GeneralError, rc, status);
            rc = GrantTables.SetupTable(1, frames, out status, 7);
            Expect.Status(suite, "setup_table_missing_domain", GrantStatus.BadDomain, rc, status);
            rc = GrantTables.SetupTable(MaxFrames + 1, frames, out status, 7);
            Expect.Status(suite, "setup_table_missing_domain_before_max", GrantStatus.BadDomain, rc, status);
            rc = GrantTables.SetupTable(1, (ulong*)0x1000, out status, 7);
            Expect.Status(suite, "setup_table_missing_domain_before_list", GrantStatus.BadDomain, rc, status);

            // An unmapped list in the guest's range: the copy fails, not the range check.
            rc = GrantTables.SetupTable(1, (ulong*)0x1000, out status);
            Expect.Status(suite, "setup_table_list_unmapped", GrantStatus.BadVirtAddr, rc, status);
            rc = GrantTables.SetupTable(1, (ulong*)0x0000800000000000UL, out status);
            suite.Errno("setup_table_list_non_canonical", XenErrno.EFAULT, rc);
            rc = GrantTables.SetupTable(1, (ulong*)AddressSpaceLayout.MachToPhysVirtStart, out status);
            suite.Errno("setup_table_list_hypervisor_area", XenErrno.EFAULT, rc);
            // The list's address is judged before anything else, even with no frame to write.
            rc = GrantTables.SetupTable(0, (ulong*)AddressSpaceLayout.MachToPhysVirtStart, out status);
            suite.Errno("setup_table_0_frames_hypervisor_area", XenErrno.EFAULT, rc);
            rc = GrantTables.SetupTable(MaxFrames + 1, (ulong*)AddressSpaceLayout.MachToPhysVirtStart, out status);
            suite.Errno("setup_table_above_max_hypervisor_area", XenErrno.EFAULT, rc);
            // Nothing to write: the list is not looked at.
            rc = GrantTables.SetupTable(0, (ulong*)0x1000, out status);
            Expect.Status(suite, "setup_table_0_frames_unmapped_list", GrantStatus.Okay, rc, status);

            GnttabSetupTable* two = stackalloc GnttabSetupTable[2];
            two[0].Dom = two[1].Dom = DomainId.Self;
            suite.Errno("setup_table_count_2", XenErrno.EINVAL, Hypercalls.GrantTableOp(GrantTableOp.SetupTable, two, 2));
            suite.Errno("setup_table_count_0", XenErrno.EINVAL, Hypercalls.GrantTableOp(GrantTableOp.SetupTable, two, 0));
        }

        private static void MapFirstFrame(TestSuite suite)
        {
            long rc = GrantTables.MapTable(Pages.TableVa);
            suite.Returns("table_frame_mapped_writable", 0, rc);
            if (rc != 0)
                return;
            // A fresh table is zeroed: nothing is granted.
            bool zero = true;
            for (uint i = 0; i < GrantTables.EntriesPerFrame; i++)
            {
                GrantEntryV1 e = GrantTables.Entries[i];
                if (e.Flags != 0 || e.DomId != 0 || e.Frame != 0)
                    zero = false;
            }
            suite.Check("table_frame_zeroed", zero, "an entry is not zero");
            // The frame is in no P2M: its M2P entry says so.
            Probe.TryRead(AddressSpaceLayout.MachToPhysVirtStart + GrantTables.TableFrame * 8, out ulong pfn);
            suite.EqualHex("table_frame_m2p_invalid", ulong.MaxValue, pfn);
        }
    }
}
