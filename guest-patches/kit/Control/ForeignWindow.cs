using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>
    /// A page of this domain's heap borrowed as a window onto other domains' frames: its L1 entry is
    /// rewritten with update_va_mapping_otherdomain to map one foreign frame at a time (the frame's
    /// owner named as the page owner, as a toolstack's foreign mappings are), and put back on the
    /// domain's own frame with <see cref="Restore"/>. Restore before a frame written through the window
    /// becomes a page table: a writable mapping of it left anywhere makes the pin fail.
    /// </summary>
    public sealed unsafe class ForeignWindow
    {
        private readonly byte* page;
        private readonly ulong ownEntry;
        private bool foreign;

        public ForeignWindow()
        {
            page = GuestMemory.AllocatePages(1);
            ownEntry = Mmu.Entry(MachineFrames.Of(page), true);
        }

        /// <summary>The window's address (valid after a successful <see cref="Map"/>).</summary>
        public byte* Page => page;

        /// <summary>True while a foreign frame is mapped.</summary>
        public bool IsForeign => foreign;

        /// <summary>Maps frame <paramref name="mfn"/> of <paramref name="domain"/> at the window (never
        /// executable); returns update_va_mapping_otherdomain's result.</summary>
        public long Map(ushort domain, ulong mfn, bool writable)
        {
            ulong entry = (mfn << 12) | PageFlags.Present | PageFlags.User | PageFlags.Accessed | PageFlags.NoExecute
                        | (writable ? PageFlags.Writable | PageFlags.Dirty : 0);
            long rc = Hypercalls.UpdateVaMappingOtherDomain((ulong)page, entry, PageFlags.UvmfInvlpg, domain);
            if (rc == 0)
                foreign = true;
            return rc;
        }

        /// <summary>Puts this domain's own frame back at the window (drops the foreign mapping).</summary>
        public long Restore()
        {
            if (!foreign)
                return 0;
            long rc = Hypercalls.UpdateVaMapping((ulong)page, ownEntry, PageFlags.UvmfInvlpg);
            if (rc == 0)
                foreign = false;
            return rc;
        }

        public static void Zero(byte* page)
        {
            ulong* words = (ulong*)page;
            for (int i = 0; i < 512; i++)
                words[i] = 0;
        }
    }
}
