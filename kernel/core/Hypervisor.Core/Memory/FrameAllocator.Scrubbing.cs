namespace Hypervisor.Core.Memory
{
    /// <summary>
    /// Scrubbing: no frame reaches a domain with another's data in it, yet nobody zeroes a frame when
    /// it is freed. A free frame is either clean (known to be zero) or dirty (<c>dirty</c> bitmap:
    /// boot RAM, whose contents are unknown, or freed by its last user). Frames given back
    /// (<see cref="Free"/>: a dying domain's, say) are also <c>released</c>: idle CPUs scrub those a
    /// batch at a time (<see cref="ScrubSome"/>), so destruction costs no zeroing and a dead domain's
    /// data does not stay in memory for long. Boot RAM is left to the allocations that take it: zeroing
    /// half a GiB at every boot would keep idle CPUs busy for a second, which under an emulator costs
    /// the host as much as running guests. An allocation that meets a dirty frame scrubs it then.
    ///
    /// The promise, once <see cref="ScrubWith"/> has given the allocator a window onto memory (the
    /// <see cref="Host"/> does, for its allocator): every frame <see cref="TryAllocate"/> and
    /// <see cref="TryAllocateContiguous"/> hand out reads as zero. Callers need not zero what they get;
    /// they fill it only with what is not zero. Before that (start of day, before the hypervisor's own
    /// page tables and direct map exist) frames come as they are, and the arch layer's early users
    /// (its page tables, descriptor tables, stacks, heap) set what they need themselves.
    /// Dirty frames are free frames: <see cref="FreeFrames"/> counts them.
    /// </summary>
    public sealed partial class FrameAllocator
    {
        /// <summary>Frames an idle CPU scrubs per step (64 KiB): short enough that the core lock,
        /// held for a step, keeps a waking vCPU waiting only briefly.</summary>
        public const ulong IdleScrubBatch = 16;

        private PhysicalMemory scrubMemory;
        private ulong dirtyFrames;
        private ulong releasedFrames;
        // The lowest word of the released bitmap that may have a bit set.
        private int scrubHint;

        /// <summary>From now on, dirty frames are zeroed through <paramref name="memory"/> before they are
        /// handed out, and <see cref="ScrubSome"/> can scrub them ahead of time.</summary>
        public void ScrubWith(PhysicalMemory memory)
        {
            scrubMemory = memory;
        }

        /// <summary>Whether allocations hand out zeroed frames (<see cref="ScrubWith"/> was called).</summary>
        public bool Scrubs
        {
            get { return scrubMemory != null; }
        }

        /// <summary>Free frames that still need scrubbing (part of <see cref="FreeFrames"/>).</summary>
        public ulong DirtyFrames
        {
            get { return dirtyFrames; }
        }

        /// <summary>The dirty frames that were given back, which idle CPUs scrub (<see cref="ScrubSome"/>);
        /// 0 when scrubbing is off.</summary>
        public ulong FramesToScrubWhenIdle
        {
            get { return scrubMemory != null ? releasedFrames : 0; }
        }

        /// <summary>True when the frame holding <paramref name="address"/> is free and still to be scrubbed.</summary>
        public bool IsDirty(ulong address)
        {
            ulong frame = address >> FrameShift;
            if (frame >= frameCount)
            {
                return false;
            }

            return (dirty[(int)(frame >> 6)] & (1UL << (int)(frame & 63))) != 0;
        }

        /// <summary>Zeroes up to <paramref name="maxFrames"/> of the free frames that were given back, lowest
        /// first, and returns how many it zeroed (0 when there are none or scrubbing is off). For idle CPUs.</summary>
        public ulong ScrubSome(ulong maxFrames)
        {
            if (scrubMemory == null || releasedFrames == 0)
            {
                return 0;
            }

            ulong done = 0;
            int w = scrubHint;
            while (w < released.Length && done < maxFrames)
            {
                ulong bits = released[w];
                if (bits == 0)
                {
                    w++;
                    continue;
                }

                // One run of released frames inside this word, cut at the batch's end: one fill.
                int first = LowestSetBit(bits);
                int end = first;
                while (end < 64 && (bits & (1UL << end)) != 0 && done < maxFrames)
                {
                    end++;
                    done++;
                }

                int length = end - first;
                ulong mask = length == 64 ? AllOnes : ((1UL << length) - 1) << first;
                released[w] = bits & ~mask;
                dirty[w] &= ~mask;
                ulong frame = ((ulong)w << 6) + (ulong)first;
                scrubMemory.Fill(frame << FrameShift, (ulong)length << FrameShift, 0);
            }

            scrubHint = w;   // no word below it has a released frame
            dirtyFrames -= done;
            releasedFrames -= done;
            return done;
        }

        // A frame just freed: its contents are its last user's.
        private void MarkDirty(int word, ulong bit)
        {
            dirty[word] |= bit;
            dirtyFrames++;
            released[word] |= bit;
            releasedFrames++;
            if (word < scrubHint)
            {
                scrubHint = word;
            }
        }

        // A free frame reserved for good: no longer the scrubber's business.
        private void ForgetDirty(int word, ulong bit)
        {
            if ((dirty[word] & bit) != 0)
            {
                dirty[word] &= ~bit;
                dirtyFrames--;
            }

            if ((released[word] & bit) != 0)
            {
                released[word] &= ~bit;
                releasedFrames--;
            }
        }

        // Frames [first, first + count) were just allocated: the dirty ones among them are zeroed (in
        // runs, one fill each) once scrubbing is on, and are clean from here on either way.
        private void TakeClean(ulong first, ulong count)
        {
            ulong end = first + count;
            ulong frame = first;
            while (frame < end)
            {
                int word = (int)(frame >> 6);
                if (dirty[word] == 0)
                {
                    frame = ((ulong)word + 1) << 6;
                    continue;
                }

                if ((dirty[word] & (1UL << (int)(frame & 63))) == 0)
                {
                    frame++;
                    continue;
                }

                ulong run = frame;
                while (frame < end)
                {
                    int w = (int)(frame >> 6);
                    ulong bit = 1UL << (int)(frame & 63);
                    if ((dirty[w] & bit) == 0)
                    {
                        break;
                    }

                    dirty[w] &= ~bit;
                    dirtyFrames--;
                    if ((released[w] & bit) != 0)
                    {
                        released[w] &= ~bit;
                        releasedFrames--;
                    }

                    frame++;
                }

                if (scrubMemory != null)
                {
                    scrubMemory.Fill(run << FrameShift, (frame - run) << FrameShift, 0);
                }
            }
        }
    }
}
