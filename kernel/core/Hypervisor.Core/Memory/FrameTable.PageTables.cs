using Hypervisor.Abi;

namespace Hypervisor.Core.Memory
{
    /// <summary>
    /// The 64-bit PV entry rules: what a present entry of each level may contain, which references
    /// it holds while it is in a validated table, and how it is adjusted for a guest kernel that runs
    /// in ring 3. Used when a table is validated (type count 0 -> 1) and for every single update.
    /// </summary>
    public sealed partial class FrameTable
    {
        /// <summary>
        /// Where the hypervisor's own L4 slots (256..271) come from: slots 257..271 are read once from
        /// <paramref name="templateL4Address"/> (the hypervisor's page-table root: image, direct map),
        /// slot 256 is <paramref name="machToPhysEntry"/> (the read-only M2P, see
        /// <see cref="MachineToPhys.TryBuildGuestMapping"/>; 0 for none). Every L4 validated afterwards
        /// gets them, so the hypervisor stays mapped in every guest address space. Copied entries lose
        /// USER (slot 256 keeps it but loses RW), so ring 3 can never reach the hypervisor's memory.
        /// </summary>
        public void SetHypervisorSlots(ulong templateL4Address, ulong machToPhysEntry)
        {
            hypervisorSlots[0] = machToPhysEntry & ~PageTableEntry.Writable;
            for (int slot = PageTableEntry.FirstHypervisorSlot + 1; slot <= PageTableEntry.LastHypervisorSlot; slot++)
            {
                ulong entry = memory.Read64(templateL4Address + (ulong)slot * PageTableEntry.EntrySize);
                hypervisorSlots[slot - PageTableEntry.FirstHypervisorSlot] = entry & ~PageTableEntry.User;
            }
        }

        /// <summary>The entry every validated L4 gets in hypervisor slot <paramref name="slot"/> (256..271).</summary>
        public ulong HypervisorSlot(int slot)
        {
            return PageTableEntry.IsHypervisorSlot(slot) ? hypervisorSlots[slot - PageTableEntry.FirstHypervisorSlot] : 0;
        }

        private int Validate(ulong mfn, PageType type, ushort owner)
        {
            if (type == PageType.SegmentDescriptor)
            {
                return descriptorCheck == null ? -XenErrno.EINVAL : descriptorCheck.Validate(owner, mfn << FrameAllocator.FrameShift);
            }

            int level = (int)type;
            ulong table = mfn << FrameAllocator.FrameShift;
            for (int i = 0; i < PageTableEntry.EntriesPerTable; i++)
            {
                if (level == 4 && PageTableEntry.IsHypervisorSlot(i))
                {
                    continue;
                }

                ulong address = table + (ulong)i * PageTableEntry.EntrySize;
                ulong entry = memory.Read64(address);
                if ((entry & PageTableEntry.Present) == 0)
                {
                    continue;
                }

                int rc = TakeEntryReferences(level, entry, owner, owner, mfn, out ulong adjusted);
                if (rc != 0)
                {
                    ReleaseEntries(table, level, i);
                    return rc;
                }

                if (adjusted != entry)
                {
                    memory.Write64(address, adjusted);
                }
            }

            if (level == 4)
            {
                // Always written, so whatever the guest left in these slots is overwritten.
                for (int s = 0; s < PageTableEntry.HypervisorSlotCount; s++)
                {
                    memory.Write64(table + (ulong)(PageTableEntry.FirstHypervisorSlot + s) * PageTableEntry.EntrySize, hypervisorSlots[s]);
                }
            }

            return 0;
        }

        private void Devalidate(ulong mfn, int level)
        {
            ReleaseEntries(mfn << FrameAllocator.FrameShift, level, PageTableEntry.EntriesPerTable);
        }

        // Drops what entries [0, end) of a validated (or partly validated) table hold.
        private void ReleaseEntries(ulong table, int level, int end)
        {
            for (int i = 0; i < end; i++)
            {
                if (level == 4 && PageTableEntry.IsHypervisorSlot(i))
                {
                    continue;
                }

                DropEntryReferences(level, memory.Read64(table + (ulong)i * PageTableEntry.EntrySize));
            }
        }

        /// <summary>
        /// Checks a present entry of a level-<paramref name="level"/> table of <paramref name="tableOwner"/>
        /// and takes the references it will hold; <paramref name="adjusted"/> is the value to store.
        /// <paramref name="pageOwner"/> is whose frames an L1 entry may map (the table owner, or a
        /// foreign domain named by a privileged caller).
        /// </summary>
        private int TakeEntryReferences(int level, ulong entry, ushort tableOwner, ushort pageOwner, ulong tableMfn, out ulong adjusted)
        {
            adjusted = entry;
            if (level == 1)
            {
                return TakeL1References(entry, tableOwner, pageOwner, out adjusted);
            }

            // Cache control, PSE (no superpages for PV guests) and global mean nothing the hypervisor
            // can allow in a guest's upper-level entry.
            if ((entry & ~PageTableEntry.AddressMask & ~PageTableEntry.GuestFlags) != 0)
            {
                return -XenErrno.EINVAL;
            }

            ulong target = PageTableEntry.FrameOf(entry);

            // Linear page tables (a table mapping itself) are refused, as Xen with pv-linear-pt=0.
            if (target == tableMfn)
            {
                return -XenErrno.EINVAL;
            }

            // Each level links only to tables of the level below, which that link validates.
            int rc = GetPageAndType(target, (PageType)(level - 1), tableOwner);
            if (rc != 0)
            {
                return rc;
            }

            // Ring 3 walks these tables: without USER at every level the guest kernel faults.
            adjusted = entry | PageTableEntry.User;
            return 0;
        }

        private int TakeL1References(ulong entry, ushort tableOwner, ushort pageOwner, out ulong adjusted)
        {
            adjusted = entry;
            if ((entry & ~PageTableEntry.AddressMask & ~AllowedL1Flags(entry, tableOwner)) != 0)
            {
                return -XenErrno.EINVAL;
            }

            ulong target = PageTableEntry.FrameOf(entry);
            if (target >= frameCount || frames[(int)target].Owner == FrameOwner.Io)
            {
                // Device memory: only with permission, for both the mapping domain and (for a foreign
                // request) the named one. No reference: there is nothing to free.
                ushort named = pageOwner == FrameOwner.Io ? tableOwner : pageOwner;
                if (ioMemory == null || !ioMemory.IsPermitted(named, target) ||
                    (named != tableOwner && !ioMemory.IsPermitted(tableOwner, target)))
                {
                    return -XenErrno.EPERM;
                }

                adjusted = ForRing3(ForceUncached(entry));
                return 0;
            }

            // RAM: the named owner's frame, or a hypervisor frame shared read-only with every guest.
            ref FrameState frame = ref frames[(int)target];
            bool owned = frame.Owner == pageOwner && FrameOwner.IsDomain(pageOwner);
            bool shared = (frame.Flags & FrameState.SharedReadOnly) != 0;
            if ((!owned && !shared) || frame.References == uint.MaxValue)
            {
                return -XenErrno.EBUSY;
            }

            frame.References++;

            // A writable mapping holds a Writable type: a page table or descriptor page can then never
            // be mapped writable, and a frame mapped writable can never become one.
            if ((entry & PageTableEntry.Writable) != 0 && GetPageType(target, PageType.Writable) != 0)
            {
                frame.References--;
                return -XenErrno.EBUSY;
            }

            adjusted = ForRing3(entry);
            return 0;
        }

        // Cache attributes only for domains that drive devices (Xen's l1_disallow_mask); the virtual
        // call happens only when the entry asks for them.
        private ulong AllowedL1Flags(ulong entry, ushort tableOwner)
        {
            if ((entry & PageTableEntry.CacheAttributes) != 0 && ioMemory != null && ioMemory.HasAny(tableOwner))
            {
                return PageTableEntry.GuestL1FlagsWithIo;
            }

            return PageTableEntry.GuestL1Flags;
        }

        /// <summary>
        /// 64-bit PV kernels run in ring 3, so every guest mapping gets USER (Xen does the same in
        /// adjust_guest_l1e). Global is cleared: the arch layer switches guests by reloading CR3, which
        /// flushes only non-global translations, so a global guest mapping could outlive its domain.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private static ulong ForRing3(ulong entry)
        {
            return (entry | PageTableEntry.User) & ~PageTableEntry.Global;
        }

        // Device memory asked for as write-back, write-through or write-protect becomes uncached
        // (PWT|PCD with the default PAT), as Xen does unless mmio-relax: caching a device's registers
        // breaks the device. UC- and explicit UC are kept.
        private static ulong ForceUncached(ulong entry)
        {
            ulong attributes = entry & PageTableEntry.CacheAttributes;
            if (attributes == 0 || attributes == PageTableEntry.WriteThrough || attributes == (PageTableEntry.WriteThrough | PageTableEntry.Pat))
            {
                return (entry & ~PageTableEntry.CacheAttributes) | PageTableEntry.WriteThrough | PageTableEntry.CacheDisable;
            }

            return entry;
        }

        /// <summary>Releases what a stored entry of a validated level-<paramref name="level"/> table holds.</summary>
        private void DropEntryReferences(int level, ulong entry)
        {
            if ((entry & PageTableEntry.Present) == 0)
            {
                return;
            }

            translationsDropped = true;
            ulong target = PageTableEntry.FrameOf(entry);
            if (level == 1)
            {
                if (target >= frameCount || frames[(int)target].Owner == FrameOwner.Io)
                {
                    return;
                }

                if ((entry & PageTableEntry.Writable) != 0)
                {
                    PutPageType(target);
                }

                PutPage(target);
                return;
            }

            PutPageAndType(target);
        }

        // The flags check alone, for the fast path (same target, only harmless flags changed).
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private int CheckFlags(int level, ulong entry, ushort tableOwner)
        {
            ulong allowed = level == 1 ? AllowedL1Flags(entry, tableOwner) : PageTableEntry.GuestFlags;
            return (entry & ~PageTableEntry.AddressMask & ~allowed) != 0 ? -XenErrno.EINVAL : 0;
        }
    }
}
