using System;
using Hypervisor.Abi;
using Hypervisor.Core.DomainBuilding;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Hypercalls;
using Hypervisor.Core.Memory;
using Xunit;

namespace Hypervisor.Core.Tests.Support
{
    /// <summary>
    /// One calling vCPU of a domain, seen as the event-channel tests need it: hypercalls made from it,
    /// arguments in its guest memory (through its own page tables), the event_channel_op commands as
    /// one-line calls, and the 2-level event bits in its domain's shared_info and vcpu_info.
    /// <para>Three kinds: <see cref="Of"/> wraps a <see cref="TestDomain"/>'s own vCPU 0;
    /// <see cref="Build"/> builds a second real PV domain on the same <see cref="Host"/> (own memory,
    /// own page tables, registered in <see cref="Host.Domains"/> by the builder); <see cref="HandBuilt"/>
    /// makes a domain by hand with any number of vCPUs, a zeroed shared_info frame and the first test
    /// domain's page tables (so its hypercall arguments go through the same guest memory), registered
    /// in <see cref="Host.Domains"/> if asked.</para>
    /// </summary>
    internal sealed class EventGuest
    {
        /// <summary>An out-field value no handler would write: a test that reads it back failed to get
        /// the result written.</summary>
        public const uint Untouched = 0xDEAD_BEEF;

        public EventGuest(Vcpu vcpu, ulong args)
        {
            Vcpu = vcpu;
            Args = args;
        }

        public Vcpu Vcpu { get; }
        public Domain Domain => Vcpu.Domain;
        public Host Host => Vcpu.Domain.Host;
        public PhysicalMemory Memory => Host.Memory;
        /// <summary>Writable guest memory for hypercall arguments (at least 64 KiB).</summary>
        public ulong Args { get; }
        /// <summary>A second buffer, 4 KiB after <see cref="Args"/> (port lists and the like).</summary>
        public ulong Data => Args + 0x1000;

        /// <summary>vCPU 0 of a test domain; arguments 64 KiB into its scratch memory.</summary>
        public static EventGuest Of(TestDomain t) => new EventGuest(t.Vcpu, t.Scratch + 0x10000);

        /// <summary>A second real PV domain built on <paramref name="t"/>'s host from the same kernel.
        /// Give <paramref name="t"/> enough machine memory (see <see cref="TwoDomainOptions"/>).</summary>
        public static EventGuest Build(TestDomain t, ushort id, bool privileged, ulong pages = 1024)
        {
            byte[] commandLine = System.Text.Encoding.ASCII.GetBytes("second");
            PvDomainBuilder b = PvDomainBuilder.Build(t.Host, id, privileged, t.KernelAddress, (ulong)t.KernelBytes.Length,
                                                      0, 0, commandLine, pages);
            Assert.True(b.Succeeded, $"second domain build failed: {b.Problem} ({b.ProblemValue})");
            Assert.Same(b.Domain, t.Host.Domains.Find(id));
            return new EventGuest(b.Domain.Vcpus[0], b.Layout.StackEnd + 0x10000);
        }

        /// <summary>Options for a first test domain that leaves room for <see cref="Build"/>.</summary>
        public static TestDomainOptions TwoDomainOptions(bool firstPrivileged = true) => new TestDomainOptions
        {
            MachineBytes = 128UL << 20,
            Pages = 2048,
            Privileged = firstPrivileged,
        };

        /// <summary>A domain built by hand on <paramref name="t"/>'s host: <paramref name="vcpus"/> vCPUs
        /// (all up: they share <paramref name="t"/>'s kernel page tables), vcpu_info i at shared_info
        /// + 64 i (all unmasked, nothing pending). Calls are made from vCPU <paramref name="caller"/>,
        /// arguments 128 KiB into <paramref name="t"/>'s scratch memory.</summary>
        public static EventGuest HandBuilt(TestDomain t, ushort id, bool privileged, int vcpus, bool register = true, int caller = 0)
        {
            var domain = new Domain(t.Host, id, privileged, vcpus);
            Assert.True(t.Frames.TryAllocate(out ulong sharedInfo));
            t.Memory.Fill(sharedInfo, TestDomain.PageSize, 0);
            domain.SharedInfoAddress = sharedInfo;
            for (int i = 0; i < vcpus; i++)
            {
                Vcpu v = domain.Vcpus[i];
                v.KernelTableFrame = t.Vcpu.KernelTableFrame;
                v.InKernelMode = true;
                v.VcpuInfoAddress = sharedInfo + (ulong)i * Abi.VcpuInfo.Size;
            }

            if (register)
                Assert.True(t.Host.Domains.Add(domain));
            return new EventGuest(domain.Vcpus[caller], t.Scratch + 0x20000);
        }

        /// <summary>The same domain, calling from another of its vCPUs.</summary>
        public EventGuest From(int vcpu) => new EventGuest(Domain.Vcpus[vcpu], Args);

        // ---- Guest memory of the calling vCPU ----

        public void Write<T>(ulong va, T value) where T : unmanaged =>
            Assert.True(GuestMemory.TryWrite(Vcpu, va, in value), $"guest write of {typeof(T).Name} at 0x{va:x} failed");

        public T Read<T>(ulong va) where T : unmanaged
        {
            Assert.True(GuestMemory.TryRead(Vcpu, va, out T value), $"guest read of {typeof(T).Name} at 0x{va:x} failed");
            return value;
        }

        public void WritePorts(ulong va, params uint[] ports)
        {
            for (int i = 0; i < ports.Length; i++)
                Write(va + (ulong)i * 4, ports[i]);
        }

        // ---- Hypercalls ----

        public long Call(ulong number, ulong a1 = 0, ulong a2 = 0, ulong a3 = 0, ulong a4 = 0, ulong a5 = 0)
        {
            var args = new HypercallArguments(a1, a2, a3, a4, a5);
            return HypercallDispatcher.Invoke(Vcpu, number, in args);
        }

        /// <summary>event_channel_op(cmd, Args) with <paramref name="arg"/> written at Args first.</summary>
        public long Op<T>(int cmd, T arg) where T : unmanaged
        {
            Write(Args, arg);
            return Call(HypercallNumber.EventChannelOp, (ulong)cmd, Args);
        }

        /// <summary>The hypercall's result if it failed; else the port it wrote back (event_channel_op
        /// returns 0 and the port in the structure, never the port itself).</summary>
        private static long PortOrError(long rc, uint port)
        {
            Assert.True(rc <= 0, $"event_channel_op returned {rc}: it returns 0 or an errno");
            return rc < 0 ? rc : port;
        }

        public long BindIpi(uint vcpu = 0)
        {
            long rc = Op(EventChannelOp.BindIpi, new EvtchnBindIpi { Vcpu = vcpu, Port = Untouched });
            return PortOrError(rc, Read<EvtchnBindIpi>(Args).Port);
        }

        public long BindVirq(uint virq, uint vcpu = 0)
        {
            long rc = Op(EventChannelOp.BindVirq, new EvtchnBindVirq { VirqNumber = virq, Vcpu = vcpu, Port = Untouched });
            return PortOrError(rc, Read<EvtchnBindVirq>(Args).Port);
        }

        public long AllocUnbound(ushort remoteDom, ushort dom = DomainId.Self)
        {
            long rc = Op(EventChannelOp.AllocUnbound, new EvtchnAllocUnbound { Dom = dom, RemoteDom = remoteDom, Port = Untouched });
            return PortOrError(rc, Read<EvtchnAllocUnbound>(Args).Port);
        }

        public long BindInterdomain(ushort remoteDom, uint remotePort)
        {
            long rc = Op(EventChannelOp.BindInterdomain, new EvtchnBindInterdomain { RemoteDom = remoteDom, RemotePort = remotePort, LocalPort = Untouched });
            return PortOrError(rc, Read<EvtchnBindInterdomain>(Args).LocalPort);
        }

        public long Send(uint port) => Op(EventChannelOp.Send, new EvtchnSend { Port = port });

        public long Close(uint port) => Op(EventChannelOp.Close, new EvtchnClose { Port = port });

        public long Unmask(uint port) => Op(EventChannelOp.Unmask, new EvtchnUnmask { Port = port });

        public long BindVcpu(uint port, uint vcpu) => Op(EventChannelOp.BindVcpu, new EvtchnBindVcpu { Port = port, Vcpu = vcpu });

        public long Reset(ushort dom = DomainId.Self) => Op(EventChannelOp.Reset, new EvtchnReset { Dom = dom });

        /// <summary>EVTCHNOP_status; the out-fields start as garbage so that a result not written shows.</summary>
        public long Status(uint port, out EvtchnStatus status, ushort dom = DomainId.Self)
        {
            long rc = Op(EventChannelOp.Status, new EvtchnStatus
            {
                Dom = dom, Port = port, Status = Untouched, Vcpu = Untouched, PeerPort = Untouched, PeerDom = 0xBEEF,
            });
            status = Read<EvtchnStatus>(Args);
            return rc;
        }

        /// <summary>The status kind of a port of the caller's domain (asserts the call succeeded).</summary>
        public uint StatusOf(uint port)
        {
            Assert.Equal(0, Status(port, out EvtchnStatus status));
            return status.Status;
        }

        // ---- 2-level bits (machine memory, as the guest would see them) ----

        private ulong BitAddress(int arrayOffset, uint port) => Domain.SharedInfoAddress + (ulong)arrayOffset + port / 64 * 8;

        private bool TestBit(int arrayOffset, uint port) => (Memory.Read64(BitAddress(arrayOffset, port)) & (1UL << (int)(port % 64))) != 0;

        private void SetBit(int arrayOffset, uint port, bool value)
        {
            ulong address = BitAddress(arrayOffset, port);
            ulong bit = 1UL << (int)(port % 64);
            ulong word = Memory.Read64(address);
            Memory.Write64(address, value ? word | bit : word & ~bit);
        }

        public bool IsPending(uint port) => TestBit(SharedInfo.EvtchnPendingOffset, port);

        public bool IsMasked(uint port) => TestBit(SharedInfo.EvtchnMaskOffset, port);

        public void SetPendingBit(uint port, bool value) => SetBit(SharedInfo.EvtchnPendingOffset, port, value);

        public void SetMasked(uint port, bool value) => SetBit(SharedInfo.EvtchnMaskOffset, port, value);

        public ulong PendingWord(int word) => Memory.Read64(Domain.SharedInfoAddress + SharedInfo.EvtchnPendingOffset + (ulong)word * 8);

        private ulong VcpuInfoOf(int vcpu) => Domain.Vcpus[vcpu].VcpuInfoAddress;

        /// <summary>evtchn_pending_sel of vCPU <paramref name="vcpu"/> (vcpu_info offset 8).</summary>
        public ulong Selector(int vcpu = 0) => Memory.Read64(VcpuInfoOf(vcpu) + 8);

        public void SetSelector(ulong value, int vcpu = 0) => Memory.Write64(VcpuInfoOf(vcpu) + 8, value);

        /// <summary>evtchn_upcall_pending of vCPU <paramref name="vcpu"/> (vcpu_info offset 0).</summary>
        public byte UpcallPending(int vcpu = 0) => Memory.Read8(VcpuInfoOf(vcpu));

        public void SetUpcallPending(byte value, int vcpu = 0) => Memory.Write8(VcpuInfoOf(vcpu), value);

        /// <summary>evtchn_upcall_mask of vCPU <paramref name="vcpu"/> (vcpu_info offset 1).</summary>
        public byte UpcallMask(int vcpu = 0) => Memory.Read8(VcpuInfoOf(vcpu) + 1);

        public void SetUpcallMask(byte value, int vcpu = 0) => Memory.Write8(VcpuInfoOf(vcpu) + 1, value);

        /// <summary>What a guest's upcall handler leaves behind: no pending port, no selector bit, no upcall.</summary>
        public void AcknowledgeAll()
        {
            for (int word = 0; word < 64; word++)
                Memory.Write64(Domain.SharedInfoAddress + SharedInfo.EvtchnPendingOffset + (ulong)word * 8, 0);
            for (int v = 0; v < Domain.Vcpus.Length; v++)
            {
                SetSelector(0, v);
                SetUpcallPending(0, v);
            }
        }

        /// <summary>No pending bit anywhere, no selector, no upcall flag: nothing was raised.</summary>
        public void AssertNothingRaised()
        {
            for (int word = 0; word < 64; word++)
                Assert.Equal(0UL, PendingWord(word));
            for (int v = 0; v < Domain.Vcpus.Length; v++)
            {
                Assert.Equal(0UL, Selector(v));
                Assert.Equal(0, UpcallPending(v));
            }
        }
    }

    /// <summary>System time under the test's control: the platform mock's TSC runs at 1 GHz, so the
    /// TSC value is the system time in ns (the host has no <see cref="Core.Time.SystemClock"/>).</summary>
    internal sealed class TestClock
    {
        public ulong Now;

        public static TestClock Attach(TestDomain t, ulong now = 0)
        {
            var clock = new TestClock { Now = now };
            t.Platform.Setup(p => p.TimeStampFrequency).Returns(1_000_000_000UL);
            t.Platform.Setup(p => p.ReadTimeStampCounter()).Returns(() => clock.Now);
            Assert.Null(t.Host.Clock);
            Assert.Equal(now, Core.Time.SystemTime.Now(t.Host));
            return clock;
        }
    }
}
