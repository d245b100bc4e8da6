using System.Collections.Generic;
using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Memory;
using Hypervisor.Core.Scheduling;
using Hypervisor.Core.Tests.Hypercalls.Control;
using Xunit;

namespace Hypervisor.Core.Tests.Domains
{
    /// <summary>
    /// A domain the toolstack creates makes its objects in an arena of its own, which goes back when
    /// the domain is gone: creation reserves room for the domain and its vCPUs and leaves the arena
    /// it entered, later growth (vCPUs, grant frames, maptrack, scheduler parameters) enters the
    /// domain's arena and leaves it, a refusal is -ENOMEM with nothing made, and dom0 uses the heap.
    /// </summary>
    public class DomainObjectArenaTests
    {
        /// <summary>Arenas as the arch layer gives them, recorded: which is entered, what was reserved,
        /// which were released; <see cref="Refuse"/> makes creation and reservations fail.</summary>
        private sealed class RecordingArenas : ObjectArenas
        {
            public ulong Entered;
            public bool Refuse;
            public readonly List<ulong> Created = new List<ulong>();
            public readonly List<ulong> Released = new List<ulong>();
            public readonly Dictionary<ulong, ulong> Reserved = new Dictionary<ulong, ulong>();
            public readonly List<ulong> EnteredLog = new List<ulong>();

            public override ulong Create(ulong reserveBytes)
            {
                if (Refuse)
                    return 0;
                ulong arena = 0x1000 + (ulong)Created.Count;
                Created.Add(arena);
                Reserved[arena] = reserveBytes;
                return arena;
            }

            public override ulong Enter(ulong arena)
            {
                ulong previous = Entered;
                Entered = arena;
                EnteredLog.Add(arena);
                return previous;
            }

            public override bool Reserve(ulong arena, ulong bytes)
            {
                Assert.Contains(arena, Created);
                if (Refuse)
                    return false;
                Reserved[arena] += bytes;
                return true;
            }

            public override ulong SizeOf(ulong arena) => Reserved[arena];

            public override void Release(ulong arena)
            {
                Assert.NotEqual(arena, Entered);
                Assert.DoesNotContain(arena, Released);
                Released.Add(arena);
            }
        }

        private static (ControlKit k, RecordingArenas arenas) Kit()
        {
            var k = new ControlKit();
            var arenas = new RecordingArenas();
            k.Host.ObjectArenas = arenas;
            return (k, arenas);
        }

        [Fact]
        public void ACreatedDomainHasAnArenaWithRoomForItsVcpusAndIsMadeInIt()
        {
            var (k, arenas) = Kit();
            Domain d = k.CreateOk(vcpus: 4);
            Assert.Single(arenas.Created);
            Assert.Equal(arenas.Created[0], d.ObjectArena);
            Assert.True(arenas.Reserved[d.ObjectArena] >= DomainObjects.DomainBytes + 4 * DomainObjects.VcpuBytes);
            Assert.Contains(d.ObjectArena, arenas.EnteredLog);
            Assert.Equal(0UL, arenas.Entered);                       // left again: the heap
            Assert.Equal(0UL, k.Dom0.ObjectArena);                   // dom0 lives on the heap
        }

        [Fact]
        public void TheArenaGoesBackWhenTheDomainIsGoneNotBefore()
        {
            var (k, arenas) = Kit();
            Domain d = k.CreateOk();
            ulong arena = d.ObjectArena;
            Assert.Equal(0, k.Domctl(Abi.Domctl.PauseDomain, d.Id));
            Assert.Empty(arenas.Released);
            Assert.Equal(0, k.Destroy(d.Id));
            Assert.Equal(new[] { arena }, arenas.Released);
            Assert.Null(k.Host.Domains.Find(d.Id));
        }

        [Fact]
        public void NoArenaIsENomemWithNothingTaken()
        {
            var (k, arenas) = Kit();
            ulong free = k.Host.Frames.FreeFrames;
            arenas.Refuse = true;
            Assert.Equal(-XenErrno.ENOMEM, k.Create(Ctl.PvConfig(), out _));
            Assert.Equal(free, k.Host.Frames.FreeFrames);
            Assert.Equal(1, CountDomains(k));
        }

        [Fact]
        public void MaxVcpusWithoutRoomIsENomemAndMakesNone()
        {
            var (k, arenas) = Kit();
            Assert.Equal(0, k.Create(Ctl.PvConfig(2), out ushort id));
            arenas.Refuse = true;
            Assert.Equal(-XenErrno.ENOMEM, k.Domctl(Abi.Domctl.MaxVcpus, id, new DomctlMaxVcpus { Max = 2 }));
            Assert.Empty(k.Host.Domains.Find(id).Vcpus);
            arenas.Refuse = false;
            Assert.Equal(0, k.Domctl(Abi.Domctl.MaxVcpus, id, new DomctlMaxVcpus { Max = 2 }));
            Assert.Equal(2, k.Host.Domains.Find(id).Vcpus.Length);
        }

        [Fact]
        public void GrowthLaterIsMadeInTheDomainsArena()
        {
            var (k, arenas) = Kit();
            k.Host.Scheduler = new CreditScheduler(1);
            Domain d = k.CreateOk();
            arenas.EnteredLog.Clear();
            Assert.True(d.Grants.EnsureFrames(d, 2));
            Assert.Equal(new[] { d.ObjectArena, 0UL }, arenas.EnteredLog);
            arenas.EnteredLog.Clear();
            for (int i = 0; i < 17; i++)                              // past the maptrack's first 16 handles
                d.Grants.Mapping((uint)d.Grants.AllocateHandle(d)).InUse = true;
            Assert.Equal(new[] { d.ObjectArena, 0UL }, arenas.EnteredLog);
            arenas.EnteredLog.Clear();
            Assert.Equal(0, k.Domctl(Abi.Domctl.SchedulerOp, d.Id,
                new DomctlSchedulerOp { SchedId = SchedulerId.Credit, Cmd = SchedulerOpCommand.PutInfo, Weight = 512, Cap = 0xFFFF }));
            Assert.Equal(new[] { d.ObjectArena, 0UL }, arenas.EnteredLog);
        }

        [Fact]
        public void GrowthWithoutRoomIsRefused()
        {
            var (k, arenas) = Kit();
            Domain d = k.CreateOk();
            arenas.Refuse = true;
            Assert.False(d.Grants.EnsureFrames(d, 2));
            Assert.Equal(1u, d.Grants.FrameCount);
            for (int i = 0; i < 16; i++)
                d.Grants.Mapping((uint)d.Grants.AllocateHandle(d)).InUse = true;
            Assert.Equal(-1, d.Grants.AllocateHandle(d));
        }

        private static int CountDomains(ControlKit k)
        {
            int n = 0;
            for (int i = 0; i < k.Host.Domains.Count; i++)
                n += k.Host.Domains.At(i) != null ? 1 : 0;
            return n;
        }
    }
}
