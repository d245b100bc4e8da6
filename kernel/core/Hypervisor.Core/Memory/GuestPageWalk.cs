using System;

namespace Hypervisor.Core.Memory
{
    /// <summary>
    /// Translates a PV guest's virtual addresses through its 4-level tables, in software, the way the
    /// hardware would for ring 3. Hypercalls use it to copy arguments from and results to guest memory
    /// without ever faulting: anything unmapped, not user-accessible, read-only on a write,
    /// non-canonical, in the hypervisor's range (0xFFFF800000000000..0xFFFF87FFFFFFFFFF, as Xen's
    /// __addr_ok), or landing outside RAM gives false. Tables are read through
    /// <see cref="PhysicalMemory"/>; each copy walks each page it touches once. The arch layer may
    /// override the copies to go through the CPU's own page tables when the address space asked for
    /// is the loaded one (the same answers, at the cost of a TLB lookup instead of a walk).
    /// </summary>
    public class GuestPageWalk
    {
        public const ulong HypervisorStart = Hypervisor.Abi.AddressSpaceLayout.HypervisorVirtStart;
        public const ulong HypervisorEnd = Hypervisor.Abi.AddressSpaceLayout.HypervisorVirtEnd;

        /// <summary>The first non-canonical address above the lower half.</summary>
        private const ulong LowerHalfEnd = 0x0000800000000000UL;

        private const ulong PageMask = FrameAllocator.FrameSize - 1;

        private readonly PhysicalMemory memory;
        private readonly FrameTable frames;

        /// <summary>The frame table says which frames are RAM the hypervisor can reach (below its
        /// frame count, not I/O): tables and data anywhere else are refused.</summary>
        public GuestPageWalk(PhysicalMemory memory, FrameTable frames)
        {
            this.memory = memory;
            this.frames = frames;
        }

        /// <summary>Canonical (bits 63..47 all equal) and outside the hypervisor's slots.</summary>
        public static bool IsGuestAddress(ulong virtualAddress)
        {
            ulong top = virtualAddress >> 47;
            if (top != 0 && top != 0x1FFFF)
            {
                return false;
            }

            return virtualAddress < HypervisorStart || virtualAddress >= HypervisorEnd;
        }

        /// <summary>
        /// The machine address behind <paramref name="virtualAddress"/> in the address space rooted at
        /// L4 frame <paramref name="l4Mfn"/>: every level present and USER, and writable when
        /// <paramref name="write"/>. Large pages are refused (PV guests never get them).
        /// </summary>
        public bool TryTranslate(ulong l4Mfn, ulong virtualAddress, bool write, out ulong machineAddress)
        {
            machineAddress = 0;
            if (!IsGuestAddress(virtualAddress))
            {
                return false;
            }

            ulong required = PageTableEntry.Present | PageTableEntry.User | (write ? PageTableEntry.Writable : 0);
            ulong table = l4Mfn;
            for (int shift = 39; shift >= 12; shift -= 9)
            {
                if (!IsRam(table))
                {
                    return false;
                }

                ulong entry = memory.Read64((table << FrameAllocator.FrameShift) + ((virtualAddress >> shift) & 511) * PageTableEntry.EntrySize);
                if ((entry & required) != required || (shift != 12 && (entry & PageTableEntry.LargePage) != 0))
                {
                    return false;
                }

                table = PageTableEntry.FrameOf(entry);
            }

            if (!IsRam(table))
            {
                return false;
            }

            machineAddress = (table << FrameAllocator.FrameShift) | (virtualAddress & PageMask);
            return true;
        }

        /// <summary>
        /// For update_va_mapping: the machine address of the L1 entry that maps
        /// <paramref name="virtualAddress"/>. The L4, L3 and L2 entries must be present (and not large);
        /// the L1 entry itself may be anything. No permission check: the frame table then checks that the
        /// L1 frame is the caller's validated L1 table.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public bool TryFindL1Entry(ulong l4Mfn, ulong virtualAddress, out ulong entryMachineAddress)
        {
            entryMachineAddress = 0;
            if (!IsGuestAddress(virtualAddress))
            {
                return false;
            }

            ulong table = l4Mfn;
            for (int shift = 39; shift >= 21; shift -= 9)
            {
                if (!IsRam(table))
                {
                    return false;
                }

                ulong entry = memory.Read64((table << FrameAllocator.FrameShift) + ((virtualAddress >> shift) & 511) * PageTableEntry.EntrySize);
                if ((entry & PageTableEntry.Present) == 0 || (shift != 39 && (entry & PageTableEntry.LargePage) != 0))
                {
                    return false;
                }

                table = PageTableEntry.FrameOf(entry);
            }

            if (!IsRam(table))
            {
                return false;
            }

            entryMachineAddress = (table << FrameAllocator.FrameShift) + ((virtualAddress >> 12) & 511) * PageTableEntry.EntrySize;
            return true;
        }

        /// <summary>copy_from_guest: fills <paramref name="destination"/> from guest virtual memory.
        /// False when any byte is not readable (the destination may then be partly filled).</summary>
        public virtual bool TryRead(ulong l4Mfn, ulong virtualAddress, Span<byte> destination)
        {
            int done = 0;
            while (done < destination.Length)
            {
                ulong va = virtualAddress + (ulong)done;
                if (va < virtualAddress || !TryTranslate(l4Mfn, va, false, out ulong machine))
                {
                    return false;
                }

                int chunk = ChunkInPage(va, destination.Length - done);
                int i = 0;

                // Whole aligned words with one load each; bytes at the edges.
                while (i < chunk)
                {
                    if (((machine + (ulong)i) & 7) == 0 && chunk - i >= 8)
                    {
                        ulong word = memory.Read64(machine + (ulong)i);
                        for (int b = 0; b < 8; b++)
                        {
                            destination[done + i + b] = (byte)(word >> (b * 8));
                        }

                        i += 8;
                    }
                    else
                    {
                        destination[done + i] = memory.Read8(machine + (ulong)i);
                        i++;
                    }
                }

                done += chunk;
            }

            return true;
        }

        /// <summary>copy_to_guest: writes <paramref name="source"/> into guest virtual memory, page by page.
        /// False when any page is not writable; pages before it are already written (as Xen's copy).</summary>
        public virtual bool TryWrite(ulong l4Mfn, ulong virtualAddress, ReadOnlySpan<byte> source)
        {
            int done = 0;
            while (done < source.Length)
            {
                ulong va = virtualAddress + (ulong)done;
                if (va < virtualAddress || !TryTranslate(l4Mfn, va, true, out ulong machine))
                {
                    return false;
                }

                int chunk = ChunkInPage(va, source.Length - done);
                int i = 0;
                while (i < chunk)
                {
                    if (((machine + (ulong)i) & 7) == 0 && chunk - i >= 8)
                    {
                        ulong word = 0;
                        for (int b = 7; b >= 0; b--)
                        {
                            word = (word << 8) | source[done + i + b];
                        }

                        memory.Write64(machine + (ulong)i, word);
                        i += 8;
                    }
                    else
                    {
                        memory.Write8(machine + (ulong)i, source[done + i]);
                        i++;
                    }
                }

                done += chunk;
            }

            return true;
        }

        /// <summary>True when copies in the address space rooted at <paramref name="l4Mfn"/> go through
        /// the CPU's page tables rather than this walk (so a caller need not cache translations).</summary>
        public virtual bool CopiesDirectly(ulong l4Mfn) => false;

        /// <summary>Whether [<paramref name="virtualAddress"/>, + <paramref name="length"/>) lies wholly
        /// in one guest part of the address space: below the canonical hole, or from the end of the
        /// hypervisor's slots to the top, without wrapping.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static bool IsGuestRange(ulong virtualAddress, ulong length)
        {
            if (length == 0)
            {
                return true;
            }

            ulong last = virtualAddress + (length - 1);
            if (last < virtualAddress)
            {
                return false;
            }

            return last < LowerHalfEnd || virtualAddress >= HypervisorEnd;
        }

        /// <summary>One 64-bit value (a hypercall argument, a request field); false as <see cref="TryRead"/>.</summary>
        public bool TryRead64(ulong l4Mfn, ulong virtualAddress, out ulong value)
        {
            value = 0;
            if ((virtualAddress & 7) == 0)
            {
                // Aligned: inside one page, one walk and one load.
                if (!TryTranslate(l4Mfn, virtualAddress, false, out ulong machine))
                {
                    return false;
                }

                value = memory.Read64(machine);
                return true;
            }

            for (int b = 7; b >= 0; b--)
            {
                if (!TryTranslate(l4Mfn, virtualAddress + (ulong)b, false, out ulong machine))
                {
                    return false;
                }

                value = (value << 8) | memory.Read8(machine);
            }

            return true;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        private bool IsRam(ulong mfn)
        {
            return !frames.IsIo(mfn);
        }

        private static int ChunkInPage(ulong virtualAddress, int remaining)
        {
            ulong toEnd = FrameAllocator.FrameSize - (virtualAddress & PageMask);
            return toEnd < (ulong)remaining ? (int)toEnd : remaining;
        }
    }
}
