using Hypervisor.Core.Domains;
using Hypervisor.Core.Tests.Support;
using Hypervisor.Core.Time;
using Xunit;

namespace Hypervisor.Core.Tests.Time
{
    /// <summary>
    /// vcpu_time_info kept current (<see cref="VcpuTimeStamps"/>): a stamp rewrites the TSC and system
    /// time with the version bumped by two (even again), every vCPU of every live domain gets one at each
    /// 1 s epoch, the epoch is a deadline the timer is programmed for, and a new stamp continues the old
    /// one's line exactly (the guest's clock does not jump).
    /// </summary>
    public class VcpuTimeStampsTests
    {
        private const ulong Ms = 1_000_000;
        private const ulong TscHz = 2_000_000_000;

        private sealed class Machine
        {
            public TestDomain T;
            public ulong Tsc;
        }

        // A 2 GHz TSC, the clock started at TSC 0.
        private static Machine New(ulong tsc)
        {
            var m = new Machine { T = TestDomain.Create(), Tsc = tsc };
            m.T.Platform.Setup(p => p.TimeStampFrequency).Returns(TscHz);
            m.T.Platform.Setup(p => p.ReadTimeStampCounter()).Returns(() => m.Tsc);
            m.T.Host.Clock = new SystemClock(TscHz, 0, 1_700_000_000);
            return m;
        }

        private static ulong TimeInfo(Vcpu v) => v.VcpuInfoAddress + VcpuInfoAccess.TimeOffset;

        // What a guest computes from the stamp in memory at a given TSC.
        private static ulong GuestTime(Machine m, Vcpu v, ulong tsc)
        {
            PhysicalMemoryView time = new PhysicalMemoryView(m.T.Host, TimeInfo(v));
            ulong delta = tsc - time.Tsc;
            delta = time.Shift >= 0 ? delta << time.Shift : delta >> -time.Shift;
            return time.System + (ulong)(((System.UInt128)delta * time.Mul) >> 32);
        }

        private readonly struct PhysicalMemoryView
        {
            public PhysicalMemoryView(Host host, ulong address)
            {
                Version = host.Memory.Read32(address);
                Tsc = host.Memory.Read64(address + 8);
                System = host.Memory.Read64(address + 16);
                Mul = host.Memory.Read32(address + 24);
                Shift = (sbyte)host.Memory.Read8(address + 28);
            }

            public uint Version { get; }
            public ulong Tsc { get; }
            public ulong System { get; }
            public uint Mul { get; }
            public int Shift { get; }
        }

        [Fact]
        public void Stamp_WritesTscAndSystemTime_VersionUpByTwo()
        {
            var m = New(tsc: 3 * TscHz);
            Vcpu v = m.T.Vcpu;
            uint before = m.T.Host.Memory.Read32(TimeInfo(v));
            VcpuTimeStamps.Stamp(v);
            var time = new PhysicalMemoryView(m.T.Host, TimeInfo(v));
            Assert.Equal(0u, before & 1);
            Assert.Equal(before + 2, time.Version);
            Assert.Equal(3 * TscHz, time.Tsc);
            Assert.InRange(time.System, 3_000 * Ms - 1, 3_000 * Ms);
            Assert.Equal(m.T.Host.Clock.TscToSystemMul, time.Mul);
        }

        [Fact]
        public void Stamp_LiesOnTheLineOfTheOneBefore()
        {
            var m = New(tsc: 1_000);
            Vcpu v = m.T.Vcpu;
            VcpuTimeStamps.Stamp(v);
            ulong later = 7_777_777_777;
            ulong predicted = GuestTime(m, v, later);
            m.Tsc = later;
            VcpuTimeStamps.Stamp(v);
            var time = new PhysicalMemoryView(m.T.Host, TimeInfo(v));
            Assert.InRange(time.System, predicted - 1, predicted + 1);
        }

        [Fact]
        public void Expire_StampsEveryVcpuOfEveryLiveDomain_OncePerEpoch()
        {
            var m = New(tsc: 0);
            var other = EventGuest.HandBuilt(m.T, 1, false, 3);
            Vcpu[] vcpus = { m.T.Vcpu, other.Domain.Vcpus[0], other.Domain.Vcpus[1], other.Domain.Vcpus[2] };
            var versions = new uint[vcpus.Length];

            VcpuTimeStamps.Expire(m.T.Host, 0);
            for (int i = 0; i < vcpus.Length; i++)
            {
                versions[i] = m.T.Host.Memory.Read32(TimeInfo(vcpus[i]));
                Assert.Equal(0u, versions[i] & 1);
            }
            Assert.Equal(VcpuTimeStamps.Epoch, VcpuTimeStamps.NextDue(m.T.Host));

            m.Tsc = TscHz / 2;                                      // half an epoch: nothing
            VcpuTimeStamps.Expire(m.T.Host, 500 * Ms);
            for (int i = 0; i < vcpus.Length; i++)
                Assert.Equal(versions[i], m.T.Host.Memory.Read32(TimeInfo(vcpus[i])));

            m.Tsc = 1_200 * Ms * 2;                                  // past the epoch: every vCPU, stamped now
            VcpuTimeStamps.Expire(m.T.Host, 1_200 * Ms);
            for (int i = 0; i < vcpus.Length; i++)
            {
                Assert.Equal(versions[i] + 2, m.T.Host.Memory.Read32(TimeInfo(vcpus[i])));
                Assert.Equal(m.Tsc, m.T.Host.Memory.Read64(TimeInfo(vcpus[i]) + 8));
            }
            Assert.Equal(2 * VcpuTimeStamps.Epoch, VcpuTimeStamps.NextDue(m.T.Host));
        }

        [Fact]
        public void Expire_SkipsADeadDomain()
        {
            var m = New(tsc: 0);
            var other = EventGuest.HandBuilt(m.T, 1, false, 1);
            other.Domain.State = DomainState.Dead;
            uint before = m.T.Host.Memory.Read32(TimeInfo(other.Vcpu));
            VcpuTimeStamps.Expire(m.T.Host, 5 * VcpuTimeStamps.Epoch);
            Assert.Equal(before, m.T.Host.Memory.Read32(TimeInfo(other.Vcpu)));
        }

        [Fact]
        public void TheEpoch_IsADeadlineForTheTimer()
        {
            var m = New(tsc: 0);
            m.T.Vcpu.PeriodicPeriod = 0;
            VcpuTimers.Expire(m.T.Host, 300 * Ms);
            Assert.Equal(VcpuTimeStamps.Epoch, VcpuTimers.NextDeadline(m.T.Host));
        }

        [Fact]
        public void WithoutAClock_NothingIsWrittenOrDue()
        {
            var t = TestDomain.Create();
            uint before = t.Host.Memory.Read32(TimeInfo(t.Vcpu));
            VcpuTimeStamps.Stamp(t.Vcpu);
            VcpuTimeStamps.Expire(t.Host, 10 * VcpuTimeStamps.Epoch);
            Assert.Equal(before, t.Host.Memory.Read32(TimeInfo(t.Vcpu)));
            Assert.Equal(0UL, VcpuTimeStamps.NextDue(t.Host));
        }
    }
}
