using System.Runtime;
using System.Runtime.CompilerServices;
using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>
    /// Grant tables v1 from the granting and the mapping side. One-operation wrappers of grant_table_op
    /// return the hypercall's result (0 or a negative errno) and give the operation's GNTST_* status
    /// (<see cref="GrantStatus"/>) through an out parameter. <see cref="MapTable"/> maps the first
    /// frame of this domain's table so that <see cref="Grant"/>, <see cref="EndAccess"/> and
    /// <see cref="FlagsOf"/> can write and read its entries.
    /// </summary>
    public static unsafe class GrantTables
    {
        [RuntimeImport("kit_grant_publish"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern void Publish(GrantEntryV1* entry, ulong flags, ulong domid, ulong frame);

        [RuntimeImport("kit_cmpxchg16"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern ulong CompareExchange16(ushort* location, ulong expected, ulong value);

        /// <summary>v1 entries in one frame.</summary>
        public const uint EntriesPerFrame = 512;

        /// <summary>The first table frame as mapped by <see cref="MapTable"/> (null before).</summary>
        public static GrantEntryV1* Entries { get; private set; }

        /// <summary>Its machine frame (from setup_table).</summary>
        public static ulong TableFrame { get; private set; }

        /// <summary>setup_table: at least <paramref name="nrFrames"/> frames, their machine frames written to
        /// <paramref name="frameList"/>.</summary>
        public static long SetupTable(uint nrFrames, ulong* frameList, out short status, ushort domain = DomainId.Self)
        {
            GnttabSetupTable op = default;
            op.Dom = domain;
            op.NrFrames = nrFrames;
            op.Status = short.MinValue;
            op.FrameList = (ulong)frameList;
            long rc = Hypercalls.GrantTableOp(GrantTableOp.SetupTable, &op, 1);
            status = op.Status;
            return rc;
        }

        /// <summary>query_size: frames in use and the most the domain may have.</summary>
        public static long QuerySize(out uint nrFrames, out uint maxNrFrames, out short status, ushort domain = DomainId.Self)
        {
            GnttabQuerySize op = default;
            op.Dom = domain;
            op.Status = short.MinValue;
            long rc = Hypercalls.GrantTableOp(GrantTableOp.QuerySize, &op, 1);
            nrFrames = op.NrFrames;
            maxNrFrames = op.MaxNrFrames;
            status = op.Status;
            return rc;
        }

        public static long GetVersion(out uint version, ushort domain = DomainId.Self)
        {
            GnttabGetVersion op = default;
            op.Dom = domain;
            op.Version = uint.MaxValue;
            long rc = Hypercalls.GrantTableOp(GrantTableOp.GetVersion, &op, 1);
            version = op.Version;
            return rc;
        }

        /// <summary>set_version; <paramref name="inForce"/> is the version the hypervisor reports back.</summary>
        public static long SetVersion(uint version, out uint inForce)
        {
            GnttabSetVersion op;
            op.Version = version;
            long rc = Hypercalls.GrantTableOp(GrantTableOp.SetVersion, &op, 1);
            inForce = op.Version;
            return rc;
        }

        /// <summary>map_grant_ref of <paramref name="granter"/>'s entry <paramref name="reference"/>
        /// (<see cref="GrantMapFlags"/>); <paramref name="result"/> holds status, handle and dev_bus_addr.</summary>
        public static long Map(ulong hostAddress, uint flags, ushort granter, uint reference, out GnttabMapGrantRef result)
        {
            GnttabMapGrantRef op = default;
            op.HostAddr = hostAddress;
            op.Flags = flags;
            op.Ref = reference;
            op.Dom = granter;
            op.Status = short.MinValue;
            long rc = Hypercalls.GrantTableOp(GrantTableOp.MapGrantRef, &op, 1);
            result = op;
            return rc;
        }

        /// <summary>unmap_grant_ref of a handle: the host mapping at <paramref name="hostAddress"/> and/or the
        /// device mapping at <paramref name="devBusAddress"/> (0: that kind is left alone).</summary>
        public static long Unmap(ulong hostAddress, ulong devBusAddress, uint handle, out short status)
        {
            GnttabUnmapGrantRef op = default;
            op.HostAddr = hostAddress;
            op.DevBusAddr = devBusAddress;
            op.Handle = handle;
            op.Status = short.MinValue;
            long rc = Hypercalls.GrantTableOp(GrantTableOp.UnmapGrantRef, &op, 1);
            status = op.Status;
            return rc;
        }

        /// <summary>One copy operation (filled by the caller, status written back into it).</summary>
        public static long Copy(GnttabCopy* op) => Hypercalls.GrantTableOp(GrantTableOp.Copy, op, 1);

        /// <summary>A copy operation: each side is a grant reference when <paramref name="flags"/> says so
        /// (GNTCOPY_source_gref, GNTCOPY_dest_gref), else a frame (gmfn = machine frame for a PV guest);
        /// its status starts at a value no call writes, so an untouched status shows.</summary>
        public static GnttabCopy CopyOperation(ulong source, ushort sourceDom, ushort sourceOffset, ulong dest, ushort destDom,
                                               ushort destOffset, ushort length, ushort flags)
        {
            GnttabCopy op = default;
            if ((flags & GrantCopyFlags.SourceGref) != 0)
                op.Source.Ref = (uint)source;
            else
                op.Source.Gmfn = source;
            op.Source.DomId = sourceDom;
            op.Source.Offset = sourceOffset;
            if ((flags & GrantCopyFlags.DestGref) != 0)
                op.Dest.Ref = (uint)dest;
            else
                op.Dest.Gmfn = dest;
            op.Dest.DomId = destDom;
            op.Dest.Offset = destOffset;
            op.Len = length;
            op.Flags = flags;
            op.Status = short.MinValue;
            return op;
        }

        /// <summary>A copy between two frames of this domain (gmfn = machine frame for a PV guest).</summary>
        public static long CopyFrames(ulong sourceFrame, ushort sourceOffset, ulong destFrame, ushort destOffset, ushort length, out short status)
        {
            GnttabCopy op = CopyOperation(sourceFrame, DomainId.Self, sourceOffset, destFrame, DomainId.Self, destOffset, length, 0);
            long rc = Copy(&op);
            status = op.Status;
            return rc;
        }

        /// <summary>Grows the table to one frame at least (setup_table) and maps its first frame writable at
        /// <paramref name="va"/>, a page of the initial mapping (its own frame stays ours, unmapped).
        /// Returns the first failing call's result: setup_table's errno, its status, or update_va_mapping's.</summary>
        public static long MapTable(ulong va)
        {
            ulong frame = 0;
            long rc = SetupTable(1, &frame, out short status);
            if (rc != 0)
                return rc;
            if (status != GrantStatus.Okay)
                return status;
            rc = Hypercalls.UpdateVaMapping(va, Mmu.Entry(frame, true), PageFlags.UvmfInvlpg);
            if (rc != 0)
                return rc;
            TableFrame = frame;
            Entries = (GrantEntryV1*)va;
            return 0;
        }

        /// <summary>Offers <paramref name="frame"/> to <paramref name="grantee"/> in entry <paramref name="reference"/>:
        /// domid and frame first, then the flags (GTF_permit_access, GTF_readonly if asked).</summary>
        public static void Grant(uint reference, ushort grantee, ulong frame, bool readOnly)
        {
            ushort flags = (ushort)(GrantFlags.PermitAccess | (readOnly ? GrantFlags.ReadOnly : 0));
            Publish(Entries + reference, flags, grantee, frame);
        }

        /// <summary>Writes an entry's three fields as they are (for entries that grant something odd).</summary>
        public static void SetEntry(uint reference, ushort flags, ushort domid, uint frame)
            => Publish(Entries + reference, flags, domid, frame);

        /// <summary>Revokes entry <paramref name="reference"/> unless it is mapped or being copied
        /// (GTF_reading / GTF_writing): false then, and the entry stays as it was.</summary>
        public static bool EndAccess(uint reference)
        {
            ushort* flags = &Entries[reference].Flags;
            ushort seen = *flags;
            for (;;)
            {
                if ((seen & (GrantFlags.Reading | GrantFlags.Writing)) != 0)
                    return false;
                ushort previous = (ushort)CompareExchange16(flags, seen, 0);
                if (previous == seen)
                    return true;
                seen = previous;
            }
        }

        /// <summary>The entry's flags as they are now (the hypervisor sets GTF_reading / GTF_writing).</summary>
        public static ushort FlagsOf(uint reference) => Entries[reference].Flags;
    }
}
