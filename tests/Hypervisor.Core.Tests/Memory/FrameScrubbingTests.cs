using System;
using System.Collections.Generic;
using Hypervisor.Core.Memory;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.Memory
{
    /// <summary>
    /// The allocator's scrubbing (FrameAllocator.Scrubbing.cs): freed frames are dirty, not zeroed; a
    /// dirty frame is zeroed before it is handed out again; idle scrubbing cleans a bounded batch of the
    /// frames given back at a time and leaves boot RAM to allocation; dirty frames count as free. Over
    /// 1 MiB of fake RAM at 1 MiB (256 frames).
    /// </summary>
    public class FrameScrubbingTests
    {
        private const ulong Page = FrameAllocator.FrameSize;
        private const ulong RamBase = 0x10_0000;
        private const ulong RamFrames = 256;
        private const ulong Pattern = 0xDEAD_BEEF_0BAD_F00D;

        private sealed class Machine
        {
            public readonly FakeMemory Ram = new FakeMemory().Map(RamBase, (int)(RamFrames * Page));
            public readonly FrameAllocator Frames;

            public Machine(bool scrub = true)
            {
                Assert.Equal(MemoryMapStatus.Ok, MemoryMap.Build(new[] { new MemoryRegion(RamBase, RamFrames * Page, MemoryKind.Usable) }, null, out MemoryMap map));
                Frames = new FrameAllocator(map);
                if (scrub)
                    Frames.ScrubWith(Ram);
            }

            public void Scribble(ulong address)
            {
                for (ulong i = 0; i < Page; i += 8)
                    Ram.Write64(address + i, Pattern);
            }

            public bool IsZero(ulong address)
            {
                for (ulong i = 0; i < Page; i += 8)
                {
                    if (Ram.Read64(address + i) != 0)
                        return false;
                }
                return true;
            }

            // Every free frame clean: boot RAM taken (allocation zeroes it) and given back, then scrubbed
            // as idle CPUs would.
            public void ScrubAll()
            {
                GiveEverythingBack(scribble: false);
                Frames.ScrubSome(ulong.MaxValue);
            }

            // Every free frame taken and given back (scribbled on first when asked): all of them dirty and
            // waiting for idle scrubbing.
            public void GiveEverythingBack(bool scribble)
            {
                var taken = new List<ulong>();
                while (Frames.TryAllocate(out ulong f))
                    taken.Add(f);
                foreach (ulong f in taken)
                {
                    if (scribble)
                        Scribble(f);
                    Assert.True(Frames.Free(f));
                }
            }
        }

        [Fact]
        public void BootRamIsDirty_AndStillCountsAsFree()
        {
            var m = new Machine();
            Assert.Equal(RamFrames, m.Frames.FreeFrames);
            Assert.Equal(RamFrames, m.Frames.DirtyFrames);
            Assert.True(m.Frames.IsDirty(RamBase));
        }

        [Fact]
        public void IdleScrubbingLeavesBootRamToAllocation()
        {
            var m = new Machine();
            m.Scribble(RamBase);
            Assert.Equal(0UL, m.Frames.FramesToScrubWhenIdle);
            Assert.Equal(0UL, m.Frames.ScrubSome(16));
            Assert.Equal(Pattern, m.Ram.Read64(RamBase));
            Assert.Equal(RamFrames, m.Frames.DirtyFrames);
        }

        [Fact]
        public void BootRamWithWhateverInItIsZeroWhenHandedOut()
        {
            var m = new Machine();
            m.Scribble(RamBase);
            Assert.True(m.Frames.TryAllocate(out ulong frame));
            Assert.Equal(RamBase, frame);
            Assert.True(m.IsZero(frame));
            Assert.False(m.Frames.IsDirty(frame));
            Assert.Equal(RamFrames - 1, m.Frames.DirtyFrames);
        }

        [Fact]
        public void AFrameFreedDirtyIsNotZeroedByFree_ButIsZeroWhenAllocatedAgain()
        {
            var m = new Machine();
            m.ScrubAll();
            Assert.True(m.Frames.TryAllocate(out ulong frame));
            m.Scribble(frame);

            Assert.True(m.Frames.Free(frame));
            Assert.True(m.Frames.IsDirty(frame));
            Assert.Equal(1UL, m.Frames.DirtyFrames);
            Assert.Equal(Pattern, m.Ram.Read64(frame));   // freeing costs no zeroing

            Assert.True(m.Frames.TryAllocate(out ulong again));
            Assert.Equal(frame, again);
            Assert.True(m.IsZero(again));
            Assert.Equal(0UL, m.Frames.DirtyFrames);
        }

        [Fact]
        public void AContiguousRunWithDirtyFramesInsideIsZeroWhole()
        {
            var m = new Machine();
            m.ScrubAll();
            Assert.True(m.Frames.TryAllocateContiguous(8, 1, out ulong run));
            for (ulong i = 0; i < 8; i++)
                m.Scribble(run + i * Page);
            // Dirty frames 1, 2 and 5 of the run, clean ones around them.
            Assert.True(m.Frames.Free(run + 1 * Page));
            Assert.True(m.Frames.Free(run + 2 * Page));
            Assert.True(m.Frames.Free(run + 5 * Page));
            for (ulong i = 0; i < 8; i++)
            {
                if (i != 1 && i != 2 && i != 5)
                    Assert.True(m.Frames.Free(run + i * Page));
            }
            // The clean ones were scribbled on while allocated and freed dirty too: everything dirty.
            Assert.Equal(8UL, m.Frames.DirtyFrames);

            Assert.True(m.Frames.TryAllocateContiguous(8, 1, out ulong again));
            Assert.Equal(run, again);
            for (ulong i = 0; i < 8; i++)
                Assert.True(m.IsZero(again + i * Page), $"frame {i} of the run");
            Assert.Equal(0UL, m.Frames.DirtyFrames);
        }

        [Fact]
        public void AllocatingACleanFrameWritesNothing()
        {
            var m = new Machine();
            m.ScrubAll();
            // A clean free frame is trusted: nothing writes it again on allocation (a write would zero it).
            m.Ram.Write64(RamBase, Pattern);
            Assert.True(m.Frames.TryAllocate(out ulong frame));
            Assert.Equal(RamBase, frame);
            Assert.Equal(Pattern, m.Ram.Read64(frame));
        }

        [Fact]
        public void WithoutAMemoryWindowFramesComeAsTheyAre()
        {
            var m = new Machine(scrub: false);
            m.Scribble(RamBase);
            Assert.False(m.Frames.Scrubs);
            Assert.Equal(0UL, m.Frames.ScrubSome(16));
            Assert.True(m.Frames.TryAllocate(out ulong frame));
            Assert.Equal(Pattern, m.Ram.Read64(frame));
            Assert.Equal(RamFrames - 1, m.Frames.DirtyFrames);   // still counted right
            Assert.True(m.Frames.Free(frame));
            Assert.Equal(0UL, m.Frames.FramesToScrubWhenIdle);   // nothing for idle CPUs without a window
        }

        [Fact]
        public void IdleScrubbingStopsAtTheBatchSize_AndReducesTheDirtyCount()
        {
            var m = new Machine();
            m.GiveEverythingBack(scribble: true);
            Assert.Equal(RamFrames, m.Frames.FramesToScrubWhenIdle);

            Assert.Equal(FrameAllocator.IdleScrubBatch, m.Frames.ScrubSome(FrameAllocator.IdleScrubBatch));
            Assert.Equal(RamFrames - FrameAllocator.IdleScrubBatch, m.Frames.DirtyFrames);
            Assert.Equal(RamFrames - FrameAllocator.IdleScrubBatch, m.Frames.FramesToScrubWhenIdle);
            // The lowest ones (allocation takes the lowest first), and not one more.
            for (ulong i = 0; i < FrameAllocator.IdleScrubBatch; i++)
            {
                Assert.True(m.IsZero(RamBase + i * Page), $"frame {i}");
                Assert.False(m.Frames.IsDirty(RamBase + i * Page));
            }
            Assert.Equal(Pattern, m.Ram.Read64(RamBase + FrameAllocator.IdleScrubBatch * Page));
            Assert.True(m.Frames.IsDirty(RamBase + FrameAllocator.IdleScrubBatch * Page));
            // Scrubbing frees or takes nothing.
            Assert.Equal(RamFrames, m.Frames.FreeFrames);
        }

        [Fact]
        public void IdleScrubbingRunsDryAndThenDoesNothing()
        {
            var m = new Machine();
            m.GiveEverythingBack(scribble: true);
            ulong total = 0, steps = 0;
            ulong done;
            while ((done = m.Frames.ScrubSome(40)) != 0)
            {
                Assert.True(done <= 40);
                total += done;
                steps++;
            }
            Assert.Equal(RamFrames, total);
            Assert.Equal((RamFrames + 39) / 40, steps);
            Assert.Equal(0UL, m.Frames.DirtyFrames);
            Assert.Equal(0UL, m.Frames.FramesToScrubWhenIdle);
            Assert.Equal(0UL, m.Frames.ScrubSome(16));
            for (ulong i = 0; i < RamFrames; i++)
                Assert.True(m.IsZero(RamBase + i * Page), $"frame {i}");
        }

        [Fact]
        public void IdleScrubbingFindsFramesFreedBelowWhereItGotTo()
        {
            var m = new Machine();
            var taken = new List<ulong>();
            for (int i = 0; i < 100; i++)
            {
                Assert.True(m.Frames.TryAllocate(out ulong f));
                taken.Add(f);
            }
            m.ScrubAll();
            Assert.Equal(0UL, m.Frames.DirtyFrames);
            m.Scribble(taken[3]);
            m.Scribble(taken[70]);
            Assert.True(m.Frames.Free(taken[70]));
            Assert.True(m.Frames.Free(taken[3]));

            Assert.Equal(2UL, m.Frames.ScrubSome(16));
            Assert.True(m.IsZero(taken[3]));
            Assert.True(m.IsZero(taken[70]));
            Assert.Equal(0UL, m.Frames.DirtyFrames);
        }

        [Fact]
        public void FreeFramesAreBackToTheStartAfterEverythingIsFreedDirty()
        {
            var m = new Machine();
            ulong start = m.Frames.FreeFrames;
            var taken = new List<ulong>();
            while (m.Frames.TryAllocate(out ulong f))
                taken.Add(f);
            Assert.Equal(0UL, m.Frames.FreeFrames);
            Assert.Equal(0UL, m.Frames.DirtyFrames);
            foreach (ulong f in taken)
                Assert.True(m.Frames.Free(f));

            Assert.Equal(start, m.Frames.FreeFrames);
            Assert.Equal(start, m.Frames.DirtyFrames);
            Assert.Equal(start, m.Frames.FramesToScrubWhenIdle);
            Assert.Equal(0UL, m.Frames.UsedFrames);
            Assert.False(m.Frames.Free(taken[0]));   // a second free changes nothing
            Assert.Equal(start, m.Frames.DirtyFrames);
            m.ScrubAll();
            Assert.Equal(start, m.Frames.FreeFrames);
        }

        [Fact]
        public void AReservedFrameIsNoLongerDirty()
        {
            var m = new Machine();
            Assert.True(m.Frames.Reserve(RamBase, 4 * Page));
            Assert.Equal(RamFrames - 4, m.Frames.DirtyFrames);
            Assert.False(m.Frames.IsDirty(RamBase));
            m.ScrubAll();
            Assert.Equal(0UL, m.Frames.DirtyFrames);
        }

        [Fact]
        public void AHostScrubsWithItsMemory()
        {
            var m = new Machine(scrub: false);
            var host = new Host(m.Ram, m.Frames, null, null);
            Assert.True(host.Frames.Scrubs);
            m.Scribble(RamBase);
            Assert.True(host.Frames.TryAllocate(out ulong frame));
            Assert.True(m.IsZero(frame));
        }
    }
}
