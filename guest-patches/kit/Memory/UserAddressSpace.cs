using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>
    /// The page tables of guest user mode: a second L4 of the kit's own, separate from the kernel's.
    /// In a 64-bit PV guest every mapping carries the user bit (the kernel runs in ring 3 too), so what
    /// keeps kernel memory from user mode is that user mode runs on this L4, which maps only what is put
    /// in it: the kit's user section and user stack, and what a test maps.
    /// Tables are built in ordinary memory, then <see cref="Activate"/> makes every table page read-only,
    /// pins the L4 (Xen validates the whole tree) and installs it with MMUEXT_NEW_USER_BASEPTR. Later
    /// changes go through mmu_update.
    /// </summary>
    public sealed unsafe class UserAddressSpace
    {
        private const int MaxTables = 64;
        private const ulong TableFlags = PageFlags.Present | PageFlags.Writable | PageFlags.User | PageFlags.Accessed;

        private readonly ulong[] tableAddress = new ulong[MaxTables];
        private readonly ulong[] tableFrame = new ulong[MaxTables];
        private int tables;
        private readonly ulong root;
        private bool active;

        public UserAddressSpace()
        {
            root = NewTable();
        }

        /// <summary>The L4's machine frame.</summary>
        public ulong RootFrame => FrameOf(root);

        /// <summary>The L4 in the kernel's view (read-only once active).</summary>
        public ulong* Root => (ulong*)root;

        /// <summary>True once pinned and installed as the user base pointer.</summary>
        public bool Active => active;

        /// <summary>Page-table pages in use (the L4 included).</summary>
        public int TableCount => tables;

        /// <summary>Maps the 4 KiB page at <paramref name="virtualAddress"/> onto machine frame
        /// <paramref name="mfn"/>, making the tables on the way. 0 or a negative errno.</summary>
        public long Map(ulong virtualAddress, ulong mfn, bool writable)
            => SetEntry(virtualAddress, Mmu.Entry(mfn, writable));

        /// <summary>Maps a page of the kernel's initial mapping at <paramref name="virtualAddress"/> in user mode.</summary>
        public long MapKernelPage(ulong virtualAddress, ulong kernelAddress, bool writable)
        {
            ulong mfn = MachineFrames.Of(kernelAddress);
            return mfn == MachineFrames.InvalidFrame ? -XenErrno.EINVAL : Map(virtualAddress, mfn, writable);
        }

        /// <summary>Makes the kernel pages [start, end) visible to user mode at the same addresses.</summary>
        public long ShareKernelRange(ulong start, ulong end, bool writable)
        {
            for (ulong page = start & ~0xFFFUL; page < end; page += PageFlags.PageSize)
            {
                long rc = MapKernelPage(page, page, writable);
                if (rc != 0)
                    return rc;
            }
            return 0;
        }

        /// <summary>Removes the mapping of one page (nothing to do when there is none).</summary>
        public long Unmap(ulong virtualAddress)
        {
            ulong l1 = Walk(virtualAddress, create: false, out long rc);
            if (l1 == 0)
                return rc;
            return Write(l1, Index(virtualAddress, 1), 0);
        }

        /// <summary>Sets the L1 entry for <paramref name="virtualAddress"/> to any value (tests of what Xen accepts).</summary>
        public long SetEntry(ulong virtualAddress, ulong entry)
        {
            ulong l1 = Walk(virtualAddress, create: true, out long rc);
            if (l1 == 0)
                return rc;
            return Write(l1, Index(virtualAddress, 1), entry);
        }

        /// <summary>The L1 entry for <paramref name="virtualAddress"/>, 0 when there is none.</summary>
        public ulong EntryOf(ulong virtualAddress)
        {
            ulong l1 = Walk(virtualAddress, create: false, out _);
            return l1 == 0 ? 0 : ((ulong*)l1)[Index(virtualAddress, 1)];
        }

        /// <summary>Read-only table pages, pin, MMUEXT_NEW_USER_BASEPTR. 0 or the first negative errno.</summary>
        public long Activate()
        {
            if (active)
                return 0;
            for (int i = 0; i < tables; i++)
            {
                long rc = Mmu.Protect(tableAddress[i], writable: false);
                if (rc != 0)
                    return rc;
            }
            long pin = Mmu.Pin(4, RootFrame);
            if (pin != 0)
                return pin;
            long install = Mmu.NewUserBaseptr(RootFrame);
            if (install != 0)
                return install;
            active = true;
            return 0;
        }

        /// <summary>The table of level 1 for an address (making the missing levels when asked), or 0.</summary>
        private ulong Walk(ulong virtualAddress, bool create, out long rc)
        {
            rc = 0;
            ulong table = root;
            for (int level = 4; level > 1; level--)
            {
                int index = Index(virtualAddress, level);
                ulong entry = ((ulong*)table)[index];
                if ((entry & PageFlags.Present) == 0)
                {
                    if (!create)
                        return 0;
                    ulong next = NewTable();
                    if (next == 0)
                    {
                        rc = -XenErrno.ENOMEM;
                        return 0;
                    }
                    entry = (FrameOf(next) << 12) | TableFlags;
                    rc = Write(table, index, entry);
                    if (rc != 0)
                        return 0;
                }
                table = AddressOfFrame((entry & PageFlags.FrameMask) >> 12);
                if (table == 0)
                {
                    rc = -XenErrno.EINVAL;
                    return 0;
                }
            }
            return table;
        }

        private long Write(ulong table, int index, ulong value)
        {
            if (!active)
            {
                ((ulong*)table)[index] = value;
                return 0;
            }
            return Mmu.UpdateEntry(MachineFrames.MachineAddressOf(table + (ulong)index * 8), value);
        }

        private ulong NewTable()
        {
            if (tables == MaxTables)
                return 0;
            ulong page = (ulong)GuestMemory.AllocatePages(1);
            ulong mfn = MachineFrames.Of(page);
            if (mfn == MachineFrames.InvalidFrame)
                return 0;
            if (active && Mmu.Protect(page, writable: false) != 0)
                return 0;
            tableAddress[tables] = page;
            tableFrame[tables] = mfn;
            tables++;
            return page;
        }

        private ulong FrameOf(ulong table)
        {
            for (int i = 0; i < tables; i++)
            {
                if (tableAddress[i] == table)
                    return tableFrame[i];
            }
            return MachineFrames.InvalidFrame;
        }

        private ulong AddressOfFrame(ulong mfn)
        {
            for (int i = 0; i < tables; i++)
            {
                if (tableFrame[i] == mfn)
                    return tableAddress[i];
            }
            return 0;
        }

        private static int Index(ulong virtualAddress, int level) => (int)((virtualAddress >> (12 + 9 * (level - 1))) & 511);
    }
}
