using Hypervisor.Abi;

namespace Hypervisor.Core.Memory
{
    /// <summary>
    /// Single-entry updates: mmu_update's MMU_NORMAL_PT_UPDATE and update_va_mapping.
    /// </summary>
    public sealed partial class FrameTable
    {
        /// <summary>MMU_NORMAL_PT_UPDATE for a domain writing its own tables and mapping its own frames.</summary>
        public int UpdateEntry(ushort domain, ulong entryMachineAddress, ulong newValue)
        {
            return UpdateEntry(domain, domain, entryMachineAddress, newValue);
        }

        /// <summary>
        /// MMU_NORMAL_PT_UPDATE: <c>*entryMachineAddress = newValue</c> on behalf of <paramref name="tableOwner"/>
        /// (the request's ptr with its command bits already stripped). The frame holding the entry must be
        /// the table owner's (-EINVAL otherwise). If it is a validated page table of level N, the new entry
        /// is checked at level N, references for its target are taken before the old entry's are dropped,
        /// then it is written, adjusted for ring 3. Otherwise it is a plain write, allowed only if the frame
        /// may be writable (-EINVAL for descriptor pages and shared frames). <paramref name="pageOwner"/> is
        /// whose frames a new L1 entry may map (mmu_update's foreigndom; the caller checks the privilege);
        /// upper levels require it to be the table owner.
        /// </summary>
        public int UpdateEntry(ushort tableOwner, ushort pageOwner, ulong entryMachineAddress, ulong newValue)
        {
            ulong mfn = entryMachineAddress >> FrameAllocator.FrameShift;
            if ((entryMachineAddress & (PageTableEntry.EntrySize - 1)) != 0 || !Owns(tableOwner, mfn))
            {
                return -XenErrno.EINVAL;
            }

            ref FrameState frame = ref frames[(int)mfn];
            if (frame.TypeCount != 0)
            {
                if ((frame.Flags & FrameState.Validated) == 0)
                {
                    return -XenErrno.EINVAL;
                }

                if (frame.Type >= PageType.L1 && frame.Type <= PageType.L4)
                {
                    return UpdateTableEntry((int)frame.Type, mfn, entryMachineAddress, newValue, tableOwner, pageOwner);
                }

                if (frame.Type == PageType.Writable)
                {
                    memory.Write64(entryMachineAddress, newValue);
                    return 0;
                }

                return -XenErrno.EINVAL;
            }

            // Not in use as anything: writable for the duration of the write.
            if (GetPageType(mfn, PageType.Writable) != 0)
            {
                return -XenErrno.EINVAL;
            }

            memory.Write64(entryMachineAddress, newValue);
            PutPageType(mfn);
            return 0;
        }

        /// <summary>update_va_mapping's write of the L1 entry <see cref="GuestPageWalk.TryFindL1Entry"/>
        /// found: as <see cref="UpdateEntry(ushort, ushort, ulong, ulong)"/>, but the frame must be a
        /// validated L1 table of the domain (-EINVAL otherwise).</summary>
        public int UpdateL1Entry(ushort domain, ulong entryMachineAddress, ulong newValue)
        {
            return UpdateL1Entry(domain, domain, entryMachineAddress, newValue);
        }

        /// <summary>update_va_mapping_otherdomain: the new entry may map <paramref name="pageOwner"/>'s frames.</summary>
        public int UpdateL1Entry(ushort tableOwner, ushort pageOwner, ulong entryMachineAddress, ulong newValue)
        {
            ulong mfn = entryMachineAddress >> FrameAllocator.FrameShift;
            if ((entryMachineAddress & (PageTableEntry.EntrySize - 1)) != 0 || !Owns(tableOwner, mfn))
            {
                return -XenErrno.EINVAL;
            }

            ref FrameState frame = ref frames[(int)mfn];
            if (frame.Type != PageType.L1 || frame.TypeCount == 0 || (frame.Flags & FrameState.Validated) == 0)
            {
                return -XenErrno.EINVAL;
            }

            return UpdateTableEntry(1, mfn, entryMachineAddress, newValue, tableOwner, pageOwner);
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private int UpdateTableEntry(int level, ulong tableMfn, ulong address, ulong newValue, ushort tableOwner, ushort pageOwner)
        {
            if (level == 4 && PageTableEntry.IsHypervisorSlot((int)((address & (FrameAllocator.FrameSize - 1)) >> 3)))
            {
                return -XenErrno.EINVAL;
            }

            if (level > 1 && pageOwner != tableOwner)
            {
                return -XenErrno.EINVAL;
            }

            ulong old = memory.Read64(address);
            if ((newValue & PageTableEntry.Present) == 0)
            {
                memory.Write64(address, newValue);
                DropEntryReferences(level, old);
                return 0;
            }

            int rc = CheckFlags(level, newValue, tableOwner);
            if (rc != 0)
            {
                return rc;
            }

            // Same target and only harmless flags changed (accessed, dirty, NX, software bits...): the
            // references the old entry holds are exactly right; no revalidation.
            if ((old & PageTableEntry.Present) != 0 && ((old ^ newValue) & ~PageTableEntry.FastPathFlags) == 0)
            {
                memory.Write64(address, level == 1 ? ForRing3(newValue) : newValue | PageTableEntry.User);
                return 0;
            }

            rc = TakeEntryReferences(level, newValue, tableOwner, pageOwner, tableMfn, out ulong adjusted);
            if (rc != 0)
            {
                return rc;
            }

            memory.Write64(address, adjusted);
            DropEntryReferences(level, old);
            return 0;
        }
    }
}
