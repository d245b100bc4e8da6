using System;

namespace Hypervisor.Core.Memory
{
    /// <summary>
    /// Hands out 4 KiB physical frames of usable RAM. Two bitmaps cover every frame below the top of
    /// usable RAM: <c>used</c> (1 = not available: allocated, reserved, or not RAM at all) and
    /// <c>allocatable</c> (1 = a RAM frame nobody reserved), so <see cref="Free"/> can refuse frames it
    /// never handed out. Only frames lying wholly inside usable regions are ever free.
    /// A search hint (the lowest word that may hold a free frame) and whole-word skipping keep
    /// allocation from rescanning memory from address 0 every time.
    /// Two more, <c>dirty</c> and <c>released</c>, mark free frames whose contents are unknown and those of
    /// them that were given back (FrameAllocator.Scrubbing.cs says what allocation promises about them).
    /// </summary>
    public sealed partial class FrameAllocator
    {
        public const ulong FrameSize = 4096;
        public const int FrameShift = 12;

        /// <summary>The bitmaps cover RAM below this address only (1 TiB: 64 MiB of bitmaps at most);
        /// usable RAM above it is left alone and reported by <see cref="IgnoredBytes"/>.</summary>
        public const ulong CoverageLimit = 1UL << 40;

        private const ulong AllOnes = ulong.MaxValue;

        private readonly ulong[] used;
        private readonly ulong[] allocatable;
        private readonly ulong[] dirty;
        private readonly ulong[] released;
        private readonly ulong frameCount;
        private readonly ulong totalFrames;
        private readonly ulong ignoredBytes;
        private ulong freeFrames;
        private int searchHint;

        public FrameAllocator(MemoryMap map)
        {
            ulong top = map.HighestUsableAddress;
            if (top > CoverageLimit)
            {
                top = CoverageLimit;
            }

            frameCount = top >> FrameShift;
            int words = (int)((frameCount + 63) >> 6);
            used = new ulong[words > 0 ? words : 1];
            allocatable = new ulong[used.Length];
            dirty = new ulong[used.Length];
            released = new ulong[used.Length];
            for (int w = 0; w < used.Length; w++)
            {
                used[w] = AllOnes;
            }

            for (int i = 0; i < map.Count; i++)
            {
                MemoryRegion region = map[i];
                if (region.Kind != MemoryKind.Usable)
                {
                    continue;
                }

                // Whole frames only: round the start up and the end down.
                ulong first = (region.Base + FrameSize - 1) >> FrameShift;
                ulong end = region.End >> FrameShift;
                if (end > frameCount)
                {
                    ignoredBytes += (end - (first > frameCount ? first : frameCount)) << FrameShift;
                    end = frameCount;
                }

                if (first >= end)
                {
                    continue;
                }

                SetRange(used, first, end, false);
                SetRange(allocatable, first, end, true);
                // Boot RAM holds whatever firmware, the loader or an earlier boot left there (QEMU's is
                // zero, real hardware's is not): dirty, scrubbed before a domain sees it.
                SetRange(dirty, first, end, true);
                totalFrames += end - first;
            }

            freeFrames = totalFrames;
            dirtyFrames = totalFrames;
        }

        /// <summary>Frames of usable RAM covered by the allocator (reserved ones included).</summary>
        public ulong TotalFrames
        {
            get { return totalFrames; }
        }

        public ulong FreeFrames
        {
            get { return freeFrames; }
        }

        /// <summary>Allocated plus reserved frames of usable RAM.</summary>
        public ulong UsedFrames
        {
            get { return totalFrames - freeFrames; }
        }

        /// <summary>Usable RAM above <see cref="CoverageLimit"/> that this allocator does not manage.</summary>
        public ulong IgnoredBytes
        {
            get { return ignoredBytes; }
        }

        /// <summary>
        /// Marks every frame touching [base, base + length) as permanently used (the hypervisor image,
        /// boot modules, the boot information, the first MiB...). Ranges outside RAM are harmless.
        /// Returns true when at least one RAM frame became reserved by this call.
        /// </summary>
        public bool Reserve(ulong rangeBase, ulong length)
        {
            if (length == 0)
            {
                return false;
            }

            ulong first = rangeBase >> FrameShift;
            ulong end;
            ulong lastByte = length - 1 > ulong.MaxValue - rangeBase ? ulong.MaxValue : rangeBase + (length - 1);
            end = (lastByte >> FrameShift) + 1;
            if (end > frameCount)
            {
                end = frameCount;
            }

            bool changed = false;
            ulong frame = first;
            while (frame < end)
            {
                int word = (int)(frame >> 6);
                if ((frame & 63) == 0 && end - frame >= 64 && allocatable[word] == 0)
                {
                    frame += 64;
                    continue;
                }

                ulong bit = 1UL << (int)(frame & 63);
                if ((allocatable[word] & bit) != 0)
                {
                    changed = true;
                    allocatable[word] &= ~bit;
                    if ((used[word] & bit) == 0)
                    {
                        used[word] |= bit;
                        freeFrames--;
                        ForgetDirty(word, bit);
                    }
                }

                frame++;
            }

            return changed;
        }

        /// <summary>One free frame (the lowest-addressed one available), zeroed once scrubbing is on
        /// (FrameAllocator.Scrubbing.cs).</summary>
        public bool TryAllocate(out ulong frameAddress)
        {
            for (int w = searchHint; w < used.Length; w++)
            {
                ulong word = used[w];
                if (word != AllOnes)
                {
                    int bit = LowestSetBit(~word);
                    used[w] = word | (1UL << bit);
                    freeFrames--;
                    searchHint = w;
                    frameAddress = (((ulong)w << 6) + (ulong)bit) << FrameShift;
                    TakeClean(frameAddress >> FrameShift, 1);
                    return true;
                }
            }

            searchHint = used.Length;
            frameAddress = 0;
            return false;
        }

        /// <summary>
        /// <paramref name="count"/> physically contiguous free frames whose first frame number is a
        /// multiple of <paramref name="alignmentFrames"/> (0 or 1: no alignment). For page tables,
        /// stacks and other structures that must be contiguous. Zeroed once scrubbing is on.
        /// </summary>
        public bool TryAllocateContiguous(ulong count, ulong alignmentFrames, out ulong address)
        {
            address = 0;
            if (count == 0 || count > frameCount)
            {
                return false;
            }

            if (alignmentFrames == 0)
            {
                alignmentFrames = 1;
            }

            ulong candidate = FindFirst(false, (ulong)searchHint << 6, frameCount);
            while (true)
            {
                if (!TryAlignUp(candidate, alignmentFrames, out candidate) || candidate >= frameCount || count > frameCount - candidate)
                {
                    return false;
                }

                ulong end = candidate + count;
                ulong blocker = FindFirst(true, candidate, end);
                if (blocker == end)
                {
                    SetRange(used, candidate, end, true);
                    freeFrames -= count;
                    address = candidate << FrameShift;
                    TakeClean(candidate, count);
                    return true;
                }

                candidate = FindFirst(false, blocker + 1, frameCount);
            }
        }

        /// <summary>Gives a frame back, dirty: whatever it holds is scrubbed before anyone gets it again
        /// (by an idle CPU, or by the allocation that takes it). False (and nothing changes) when the
        /// address is not frame-aligned, not a frame this allocator manages, reserved, or already free.</summary>
        public bool Free(ulong frameAddress)
        {
            if ((frameAddress & (FrameSize - 1)) != 0)
            {
                return false;
            }

            ulong frame = frameAddress >> FrameShift;
            if (frame >= frameCount)
            {
                return false;
            }

            int word = (int)(frame >> 6);
            ulong bit = 1UL << (int)(frame & 63);
            if ((allocatable[word] & bit) == 0 || (used[word] & bit) == 0)
            {
                return false;
            }

            used[word] &= ~bit;
            freeFrames++;
            MarkDirty(word, bit);
            if (word < searchHint)
            {
                searchHint = word;
            }

            return true;
        }

        /// <summary>True when the frame holding <paramref name="address"/> is currently free.</summary>
        public bool IsFree(ulong address)
        {
            ulong frame = address >> FrameShift;
            if (frame >= frameCount)
            {
                return false;
            }

            return (used[(int)(frame >> 6)] & (1UL << (int)(frame & 63))) == 0;
        }

        // First frame in [from, limit) whose used bit equals wantUsed; limit when there is none.
        private ulong FindFirst(bool wantUsed, ulong from, ulong limit)
        {
            if (from >= limit)
            {
                return limit;
            }

            int w = (int)(from >> 6);
            ulong bits = (wantUsed ? used[w] : ~used[w]) & (AllOnes << (int)(from & 63));
            while (true)
            {
                if (bits != 0)
                {
                    ulong found = ((ulong)w << 6) + (ulong)LowestSetBit(bits);
                    return found < limit ? found : limit;
                }

                w++;
                if (w >= used.Length || ((ulong)w << 6) >= limit)
                {
                    return limit;
                }

                bits = wantUsed ? used[w] : ~used[w];
            }
        }

        private static bool TryAlignUp(ulong value, ulong alignment, out ulong aligned)
        {
            ulong remainder = value % alignment;
            if (remainder == 0)
            {
                aligned = value;
                return true;
            }

            ulong step = alignment - remainder;
            if (step > ulong.MaxValue - value)
            {
                aligned = 0;
                return false;
            }

            aligned = value + step;
            return true;
        }

        // Sets or clears the bits for frames [first, end), a whole word at a time where possible.
        private static void SetRange(ulong[] bitmap, ulong first, ulong end, bool value)
        {
            ulong frame = first;
            while (frame < end)
            {
                int word = (int)(frame >> 6);
                int bit = (int)(frame & 63);
                ulong span = 64 - (ulong)bit;
                if (span > end - frame)
                {
                    span = end - frame;
                }

                ulong mask = span == 64 ? AllOnes : ((1UL << (int)span) - 1) << bit;
                if (value)
                {
                    bitmap[word] |= mask;
                }
                else
                {
                    bitmap[word] &= ~mask;
                }

                frame += span;
            }
        }

        // Index of the lowest set bit of a non-zero word, by halving (no intrinsics in the runtime).
        private static int LowestSetBit(ulong value)
        {
            int index = 0;
            if ((value & 0xFFFF_FFFFUL) == 0) { value >>= 32; index += 32; }
            if ((value & 0xFFFFUL) == 0) { value >>= 16; index += 16; }
            if ((value & 0xFFUL) == 0) { value >>= 8; index += 8; }
            if ((value & 0xFUL) == 0) { value >>= 4; index += 4; }
            if ((value & 0x3UL) == 0) { value >>= 2; index += 2; }
            if ((value & 0x1UL) == 0) { index += 1; }
            return index;
        }
    }
}
