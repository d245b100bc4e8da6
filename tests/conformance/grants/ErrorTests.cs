using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// grant_table_op's own errors: operation arrays it cannot read (-EFAULT, the operations before
    /// the unreadable one done), counts, unknown commands and command bits.
    /// </summary>
    internal static unsafe class ErrorTests
    {
        private const ulong Unmapped = 0x1000;
        private const ulong NonCanonical = 0x0000800000000000UL;
        private static ulong HypervisorArea => AddressSpaceLayout.MachToPhysVirtStart;

        public static void Run(TestSuite suite)
        {
            Pointers(suite);
            Batches(suite);
            Commands(suite);
        }

        private static long Op(int command, ulong ops, uint count) => Hypercalls.GrantTableOp(command, (void*)ops, count);

        private static void Pointers(TestSuite suite)
        {
            suite.Errno("map_unmapped", XenErrno.EFAULT, Op(GrantTableOp.MapGrantRef, Unmapped, 1));
            suite.Errno("map_non_canonical", XenErrno.EFAULT, Op(GrantTableOp.MapGrantRef, NonCanonical, 1));
            suite.Errno("map_hypervisor_area", XenErrno.EFAULT, Op(GrantTableOp.MapGrantRef, HypervisorArea, 1));
            suite.Errno("unmap_unmapped", XenErrno.EFAULT, Op(GrantTableOp.UnmapGrantRef, Unmapped, 1));
            suite.Errno("unmap_hypervisor_area", XenErrno.EFAULT, Op(GrantTableOp.UnmapGrantRef, HypervisorArea, 1));
            suite.Errno("copy_unmapped", XenErrno.EFAULT, Op(GrantTableOp.Copy, Unmapped, 1));
            suite.Errno("copy_non_canonical", XenErrno.EFAULT, Op(GrantTableOp.Copy, NonCanonical, 1));
            suite.Errno("setup_table_unmapped", XenErrno.EFAULT, Op(GrantTableOp.SetupTable, Unmapped, 1));
            suite.Errno("setup_table_hypervisor_area", XenErrno.EFAULT, Op(GrantTableOp.SetupTable, HypervisorArea, 1));
            suite.Errno("query_size_unmapped", XenErrno.EFAULT, Op(GrantTableOp.QuerySize, Unmapped, 1));
            suite.Errno("query_size_non_canonical", XenErrno.EFAULT, Op(GrantTableOp.QuerySize, NonCanonical, 1));
            suite.Errno("get_version_unmapped", XenErrno.EFAULT, Op(GrantTableOp.GetVersion, Unmapped, 1));
            suite.Errno("set_version_unmapped", XenErrno.EFAULT, Op(GrantTableOp.SetVersion, Unmapped, 1));
            suite.Errno("set_version_hypervisor_area", XenErrno.EFAULT, Op(GrantTableOp.SetVersion, HypervisorArea, 1));

            // Nothing to read: no fault, but the array's address is judged all the same.
            suite.Returns("map_count_0_unmapped", 0, Op(GrantTableOp.MapGrantRef, Unmapped, 0));
            suite.Returns("unmap_count_0_unmapped", 0, Op(GrantTableOp.UnmapGrantRef, Unmapped, 0));
            suite.Returns("copy_count_0_unmapped", 0, Op(GrantTableOp.Copy, Unmapped, 0));
            suite.Errno("map_count_0_non_canonical", XenErrno.EFAULT, Op(GrantTableOp.MapGrantRef, NonCanonical, 0));
            suite.Errno("map_count_0_hypervisor_area", XenErrno.EFAULT, Op(GrantTableOp.MapGrantRef, HypervisorArea, 0));
            suite.Errno("copy_count_0_hypervisor_area", XenErrno.EFAULT, Op(GrantTableOp.Copy, HypervisorArea, 0));
            suite.Errno("unmap_count_0_non_canonical", XenErrno.EFAULT, Op(GrantTableOp.UnmapGrantRef, NonCanonical, 0));
        }

        /// <summary>Two operations, the second on the unmapped window's page: the first is done and written
        /// back, then -EFAULT.</summary>
        private static void Batches(TestSuite suite)
        {
            Refs.Publish();
            GnttabMapGrantRef* maps = (GnttabMapGrantRef*)(Pages.Window - (ulong)sizeof(GnttabMapGrantRef));
            maps[0] = default;
            maps[0].HostAddr = Pages.Window2;
            maps[0].Flags = GrantMapFlags.HostMap | GrantMapFlags.ReadOnly;
            maps[0].Ref = Refs.Writable;
            maps[0].Dom = Pages.Dom0;
            maps[0].Status = short.MinValue;
            long rc = Hypercalls.GrantTableOp(GrantTableOp.MapGrantRef, maps, 2);
            suite.Errno("map_batch_second_unreadable", XenErrno.EFAULT, rc);
            Expect.Status(suite, "map_batch_first_done", GrantStatus.Okay, 0, maps[0].Status);
            suite.Check("map_batch_first_mapped", Pages.Holds(Pages.Window2, Pages.PatternP), "the first mapping is not there");
            if (maps[0].Status == 0)
                GrantTables.Unmap(Pages.Window2, 0, maps[0].Handle, out _);
            Pages.Clear(Pages.Window2);

            GnttabCopy* copies = (GnttabCopy*)(Pages.Window - (ulong)sizeof(GnttabCopy));
            copies[0] = default;
            copies[0].Source.Gmfn = Pages.MfnP;
            copies[0].Source.DomId = DomainId.Self;
            copies[0].Dest.Gmfn = Pages.MfnQ;
            copies[0].Dest.DomId = DomainId.Self;
            copies[0].Len = 8;
            copies[0].Status = short.MinValue;
            rc = Hypercalls.GrantTableOp(GrantTableOp.Copy, copies, 2);
            suite.Errno("copy_batch_second_unreadable", XenErrno.EFAULT, rc);
            Expect.Status(suite, "copy_batch_first_done", GrantStatus.Okay, 0, copies[0].Status);
            suite.Check("copy_batch_first_copied", ((ulong*)Pages.Q)[0] == Pages.PatternP, "Q's first word was not copied");

            GnttabUnmapGrantRef* unmaps = (GnttabUnmapGrantRef*)(Pages.Window - (ulong)sizeof(GnttabUnmapGrantRef));
            unmaps[0] = default;
            unmaps[0].HostAddr = Pages.Window2;
            unmaps[0].Handle = 0x7FFFFFF0;
            unmaps[0].Status = short.MinValue;
            rc = Hypercalls.GrantTableOp(GrantTableOp.UnmapGrantRef, unmaps, 2);
            suite.Errno("unmap_batch_second_unreadable", XenErrno.EFAULT, rc);
            Expect.Status(suite, "unmap_batch_first_done", GrantStatus.BadHandle, 0, unmaps[0].Status);
            suite.Check("unmap_writes_back_status_only", unmaps[0].HostAddr == Pages.Window2 && unmaps[0].DevBusAddr == 0 && unmaps[0].Handle == 0x7FFFFFF0,
                "an input changed");
            Pages.Refill();
        }

        private static void Commands(TestSuite suite)
        {
            GnttabQuerySize query = default;
            query.Dom = DomainId.Self;
            suite.Errno("unknown_command_13", XenErrno.ENOSYS, Op(13, (ulong)&query, 1));
            suite.Errno("unknown_command_4095", XenErrno.ENOSYS, Op(0xFFF, (ulong)&query, 1));
            suite.Errno("command_with_high_bits", XenErrno.EINVAL, Op(GrantTableOp.QuerySize | (1 << 12), (ulong)&query, 1));
            suite.Errno("count_negative", XenErrno.EINVAL, Op(GrantTableOp.MapGrantRef, (ulong)&query, 0x80000000));
            suite.Errno("count_negative_unknown_command", XenErrno.EINVAL, Op(13, (ulong)&query, 0xFFFFFFFF));
        }
    }
}
