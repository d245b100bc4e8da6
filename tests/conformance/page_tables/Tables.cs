using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// What the page_tables tests share: the frame of a page of the bootstrap region (through the P2M
    /// list), the way back (through the read-only M2P and the region's 1:1 mapping), a walk of the
    /// current page tables down to the entry of any level, and the raw mmu_update / mmuext_op calls
    /// with their done counts. Every address here is a machine address unless it says virtual.
    /// </summary>
    internal static unsafe class Tables
    {
        public const ulong VirtBase = 0xFFFFFFFF80000000UL;
        public const ulong Page = 4096;

        public const ulong Present = PageFlags.Present;
        public const ulong Writable = PageFlags.Writable;
        public const ulong Accessed = PageFlags.Accessed;
        public const ulong Dirty = PageFlags.Dirty;
        public const ulong Pse = 1UL << 7;
        public const ulong Pcd = 1UL << 4;
        public const ulong Global = 1UL << 8;

        /// <summary>A data mapping as a kernel makes it: present, writable, accessed, dirty.</summary>
        public const ulong DataRw = Present | Writable | Accessed | Dirty;

        /// <summary>A read-only mapping: present, accessed.</summary>
        public const ulong DataRo = Present | Accessed;

        private static StartInfo* Start => StartOfDay.StartInfo;

        public static ulong NrPages => Start->NrPages;

        /// <summary>The machine frame behind a virtual address of the bootstrap region (pfn = (va - VIRT_BASE) / 4 KiB).</summary>
        public static ulong MfnOf(ulong va) => ((ulong*)Start->MfnList)[(va - VirtBase) >> 12];

        public static ulong MfnOf(void* va) => MfnOf((ulong)va);

        public static ulong PfnOf(ulong va) => (va - VirtBase) >> 12;

        /// <summary>The M2P entry of a frame (the read-only table at 0xffff800000000000); ulong.MaxValue when unreadable.</summary>
        public static ulong M2p(ulong mfn)
            => Probe.TryRead(AddressSpaceLayout.MachToPhysVirtStart + mfn * 8, out ulong pfn) ? pfn : ulong.MaxValue;

        /// <summary>Where a frame of ours is mapped in the bootstrap region; 0 when it is not ours or not there.</summary>
        public static ulong VaOfMfn(ulong mfn)
        {
            ulong pfn = M2p(mfn);
            if (pfn >= NrPages || MfnOf(VirtBase + pfn * Page) != mfn)
                return 0;
            ulong va = VirtBase + pfn * Page;
            return va < StartOfDay.Layout.RegionEnd ? va : 0;
        }

        /// <summary>The top-level table: its virtual address (pt_base) and frame.</summary>
        public static ulong L4Va => Start->PtBase;
        public static ulong L4Mfn => MfnOf(Start->PtBase);

        public static int Index(ulong va, int level) => (int)((va >> (12 + 9 * (level - 1))) & 511);

        /// <summary>
        /// Walks the current tables (from pt_base) for <paramref name="va"/> down to <paramref name="level"/>
        /// (4 = L4 ... 1 = L1) and gives that entry's virtual and machine address. False when a table on
        /// the way is not present, is a superpage or is not one of our mapped frames.
        /// </summary>
        public static bool Walk(ulong va, int level, out ulong entryVa, out ulong entryMa)
        {
            ulong tableVa = L4Va;
            ulong tableMfn = L4Mfn;
            for (int l = 4; ; l--)
            {
                int index = Index(va, l);
                entryVa = tableVa + (ulong)index * 8;
                entryMa = (tableMfn << 12) + (ulong)index * 8;
                if (l == level)
                    return true;
                if (!Probe.TryRead(entryVa, out ulong entry) || (entry & Present) == 0 || (l <= 3 && (entry & Pse) != 0))
                    break;
                tableMfn = (entry & PageFlags.FrameMask) >> 12;
                tableVa = VaOfMfn(tableMfn);
                if (tableVa == 0)
                    break;
            }
            entryVa = 0;
            entryMa = 0;
            return false;
        }

        /// <summary>The frame of the table at <paramref name="level"/> that holds the entry for <paramref name="va"/>.</summary>
        public static ulong TableMfn(ulong va, int level)
            => Walk(va, level, out _, out ulong ma) ? ma >> 12 : 0;

        public static ulong Read(ulong va) => Probe.TryRead(va, out ulong v) ? v : 0;

        /// <summary>One mmu_update request; <paramref name="done"/> gets the count Xen writes back.</summary>
        public static long Update(ulong ptr, ulong val, out uint done)
        {
            MmuUpdate req = default;
            req.Ptr = ptr;
            req.Val = val;
            return UpdateBatch(&req, 1, out done);
        }

        public static long Update(ulong ptr, ulong val) => Update(ptr, val, out _);

        public static long UpdateBatch(MmuUpdate* reqs, uint count, out uint done)
        {
            uint d = 0xDEAD;
            long rc = Hypercalls.Raw(HypercallNumber.MmuUpdate, (ulong)reqs, count, (ulong)&d, DomainId.Self, 0);
            done = d;
            return rc;
        }

        /// <summary>One mmuext_op; arg1 is the frame (or linear address), arg2 the source frame / entry count.</summary>
        public static long Ext(uint cmd, ulong arg1, ulong arg2, out uint done)
        {
            MmuextOp op = default;
            op.Cmd = cmd;
            op.Mfn = arg1;
            op.SrcMfn = arg2;
            return ExtBatch(&op, 1, out done);
        }

        public static long Ext(uint cmd, ulong arg1) => Ext(cmd, arg1, 0, out _);

        public static long ExtBatch(MmuextOp* ops, uint count, out uint done)
        {
            uint d = 0xDEAD;
            long rc = Hypercalls.Raw(HypercallNumber.MmuextOp, (ulong)ops, count, (ulong)&d, DomainId.Self, 0);
            done = d;
            return rc;
        }

        public static long UpdateVa(ulong va, ulong pte, ulong flags) => Hypercalls.UpdateVaMapping(va, pte, flags);

        /// <summary>Maps a page of ours read-only at its own address (so that it may become a page table).</summary>
        public static long MakeReadOnly(ulong va) => UpdateVa(va, (MfnOf(va) << 12) | DataRo, UpdateVaMappingFlags.Invlpg);

        /// <summary>Maps a page of ours writable again at its own address.</summary>
        public static long MakeWritable(ulong va) => UpdateVa(va, (MfnOf(va) << 12) | DataRw, UpdateVaMappingFlags.Invlpg);

        /// <summary>Fills a page with one value (through probes: false when a write faulted).</summary>
        public static bool Fill(ulong va, ulong value)
        {
            for (ulong i = 0; i < 512; i++)
            {
                if (!Probe.TryWrite(va + i * 8, value))
                    return false;
            }
            return true;
        }

        /// <summary>True when all 512 words of the page read as <paramref name="value"/>.</summary>
        public static bool Holds(ulong va, ulong value)
        {
            for (ulong i = 0; i < 512; i++)
            {
                if (!Probe.TryRead(va + i * 8, out ulong v) || v != value)
                    return false;
            }
            return true;
        }

        public static void Copy(ulong to, ulong from)
        {
            ulong* d = (ulong*)to;
            ulong* s = (ulong*)from;
            for (int i = 0; i < 512; i++)
                d[i] = s[i];
        }

        /// <summary>Describes the outcome of a probe for a result line: "ok" or the vector's mnemonic.</summary>
        public static string Vector(int vector) => vector < 0 ? "no fault" : TrapNames.Mnemonic((ulong)vector);
    }
}
