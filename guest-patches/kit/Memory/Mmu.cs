using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>
    /// One-request page-table operations on this domain's memory: an entry written with mmu_update,
    /// pins and base pointers with mmuext_op, a page of the initial mapping remapped with
    /// update_va_mapping. Each returns the hypercall's result (0 or a negative errno).
    /// </summary>
    public static unsafe class Mmu
    {
        /// <summary>A validated write of the page-table entry at <paramref name="entryMachineAddress"/>.</summary>
        public static long UpdateEntry(ulong entryMachineAddress, ulong value)
        {
            MmuUpdate request;
            request.Ptr = (entryMachineAddress & ~MmuUpdateCommand.CommandMask) | MmuUpdateCommand.NormalPtUpdate;
            request.Val = value;
            uint done = 0;
            return Hypercalls.MmuUpdate(&request, 1, &done);
        }

        /// <summary>One mmuext_op with a frame argument.</summary>
        public static long Extended(uint command, ulong frame)
        {
            MmuextOp op = default;
            op.Cmd = command;
            op.Mfn = frame;
            uint done = 0;
            return Hypercalls.MmuextOp(&op, 1, &done);
        }

        /// <summary>Pins a frame as a page table of <paramref name="level"/> (1-4).</summary>
        public static long Pin(int level, ulong mfn)
            => Extended(level == 1 ? MmuextCommand.PinL1Table : level == 2 ? MmuextCommand.PinL2Table
                      : level == 3 ? MmuextCommand.PinL3Table : MmuextCommand.PinL4Table, mfn);

        public static long Unpin(ulong mfn) => Extended(MmuextCommand.UnpinTable, mfn);

        /// <summary>MMUEXT_NEW_USER_BASEPTR: the top-level table of guest user mode.</summary>
        public static long NewUserBaseptr(ulong mfn) => Extended(MmuextCommand.NewUserBaseptr, mfn);

        /// <summary>MMUEXT_NEW_BASEPTR: the top-level table of guest kernel mode.</summary>
        public static long NewBaseptr(ulong mfn) => Extended(MmuextCommand.NewBaseptr, mfn);

        public static long FlushTlb() => Extended(MmuextCommand.TlbFlushLocal, 0);

        public static long Invalidate(ulong virtualAddress)
        {
            MmuextOp op = default;
            op.Cmd = MmuextCommand.InvlpgLocal;
            op.LinearAddr = virtualAddress;
            uint done = 0;
            return Hypercalls.MmuextOp(&op, 1, &done);
        }

        /// <summary>An L1 entry for a machine frame: present, accessed, dirty, user (every 64-bit PV mapping
        /// is), writable if asked.</summary>
        public static ulong Entry(ulong mfn, bool writable)
            => (mfn << 12) | PageFlags.Present | PageFlags.User | PageFlags.Accessed | PageFlags.Dirty
               | (writable ? PageFlags.Writable : 0);

        /// <summary>Remaps a page of the initial mapping onto its own frame, read-only or writable
        /// (a page becomes usable as a page table only once no writable mapping of it is left).</summary>
        public static long Protect(ulong virtualAddress, bool writable)
        {
            ulong mfn = MachineFrames.Of(virtualAddress);
            if (mfn == MachineFrames.InvalidFrame)
                return -XenErrno.EINVAL;
            return Hypercalls.UpdateVaMapping(virtualAddress & ~0xFFFUL, Entry(mfn, writable), PageFlags.UvmfInvlpg);
        }
    }
}
