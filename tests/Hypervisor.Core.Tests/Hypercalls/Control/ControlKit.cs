using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Hypercalls;
using Hypervisor.Core.Memory;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.Hypercalls.Control
{
    /// <summary>
    /// domctl and sysctl as a toolstack makes them: the whole xen_domctl / xen_sysctl written into the
    /// caller's guest memory, the hypercall made from the caller's vCPU, the struct read back. The
    /// per-command structs go in and out of the 128-byte union as raw bytes.
    /// </summary>
    internal static unsafe class Ctl
    {
        public static XenDomctl Domctl(uint cmd, ushort domain) => DomctlOfVersion(cmd, domain, Abi.Domctl.InterfaceVersion);

        public static XenDomctl DomctlOfVersion(uint cmd, ushort domain, uint version) =>
            new XenDomctl { Cmd = cmd, InterfaceVersion = version, Domain = domain };

        public static XenDomctl Domctl<TU>(uint cmd, ushort domain, TU u) where TU : unmanaged
        {
            Assert.True(sizeof(TU) <= XenDomctl.UnionSize);
            XenDomctl op = Domctl(cmd, domain);
            *(TU*)op.U = u;
            return op;
        }

        public static TU Union<TU>(XenDomctl op) where TU : unmanaged => *(TU*)op.U;

        public static XenSysctl Sysctl(uint cmd) => SysctlOfVersion(cmd, Abi.Sysctl.InterfaceVersion);

        public static XenSysctl SysctlOfVersion(uint cmd, uint version) => new XenSysctl { Cmd = cmd, InterfaceVersion = version };

        public static XenSysctl Sysctl<TU>(uint cmd, TU u) where TU : unmanaged
        {
            Assert.True(sizeof(TU) <= XenSysctl.UnionSize);
            XenSysctl op = Sysctl(cmd);
            *(TU*)op.U = u;
            return op;
        }

        public static TU Union<TU>(XenSysctl op) where TU : unmanaged => *(TU*)op.U;

        /// <summary>What xl gives createdomain for a plain PV guest: one vCPU, grant v1, default limits.</summary>
        public static DomctlCreateDomain PvConfig(uint vcpus = 1) => new DomctlCreateDomain
        {
            MaxVcpus = vcpus,
            MaxEvtchnPort = 1023,
            MaxGrantFrames = -1,
            MaxMaptrackFrames = -1,
            GrantOpts = 1,
        };

        public static void Write<T>(Vcpu caller, ulong at, T value) where T : unmanaged =>
            Assert.True(GuestMemory.TryWrite(caller, at, in value), $"guest write of {typeof(T).Name} at 0x{at:x} failed");

        public static T Read<T>(Vcpu caller, ulong at) where T : unmanaged
        {
            Assert.True(GuestMemory.TryRead(caller, at, out T value), $"guest read of {typeof(T).Name} at 0x{at:x} failed");
            return value;
        }

        public static long Call(Vcpu caller, int number, ulong a1)
        {
            var args = new HypercallArguments(a1, 0, 0, 0, 0);
            return HypercallDispatcher.Invoke(caller, (ulong)number, in args);
        }

        /// <summary>domctl(at) with <paramref name="op"/> written at <paramref name="at"/> first; the
        /// struct as the hypervisor left it in <paramref name="back"/>.</summary>
        public static long Domctl(Vcpu caller, ulong at, XenDomctl op, out XenDomctl back)
        {
            Write(caller, at, op);
            long rc = Call(caller, HypercallNumber.Domctl, at);
            back = Read<XenDomctl>(caller, at);
            return rc;
        }

        public static long Sysctl(Vcpu caller, ulong at, XenSysctl op, out XenSysctl back)
        {
            Write(caller, at, op);
            long rc = Call(caller, HypercallNumber.Sysctl, at);
            back = Read<XenSysctl>(caller, at);
            return rc;
        }
    }

    /// <summary>
    /// Dom0 (a real PV domain built by <see cref="TestDomain"/>, privileged) acting as the toolstack:
    /// domctl and sysctl calls from its vCPU 0 with their arguments in its scratch memory, the
    /// commands xl uses as one-line calls, and a way to give a created domain page tables.
    /// </summary>
    internal sealed unsafe class ControlKit
    {
        public ControlKit(TestDomainOptions options = null)
        {
            T = TestDomain.Create(options ?? new TestDomainOptions());
        }

        public TestDomain T { get; }
        public Domain Dom0 => T.Domain;
        public Vcpu V0 => T.Vcpu;
        public Host Host => T.Host;
        public FrameTable Frames => T.Host.FrameTable;
        public FakeMemory Ram => T.Memory;

        /// <summary>Where the xen_domctl / xen_sysctl goes.</summary>
        public ulong OpAddress => T.Scratch + 0x10000;
        /// <summary>A 16 KiB buffer (getdomaininfolist, frame lists).</summary>
        public ulong Buffer => T.Scratch + 0x11000;
        /// <summary>A vcpu_guest_context (5168 bytes).</summary>
        public ulong ContextAddress => T.Scratch + 0x30000;

        // ---- domctl ----

        public long Domctl(XenDomctl op, out XenDomctl back) => Ctl.Domctl(V0, OpAddress, op, out back);

        public long Domctl(XenDomctl op) => Domctl(op, out _);

        public long Domctl(uint cmd, ushort domain) => Domctl(Ctl.Domctl(cmd, domain));

        public long Domctl<TU>(uint cmd, ushort domain, TU u) where TU : unmanaged => Domctl(Ctl.Domctl(cmd, domain, u), out _);

        public long Domctl<TU>(uint cmd, ushort domain, TU u, out TU answer) where TU : unmanaged
        {
            long rc = Domctl(Ctl.Domctl(cmd, domain, u), out XenDomctl back);
            answer = Ctl.Union<TU>(back);
            return rc;
        }

        /// <summary>createdomain; the id the hypervisor wrote back (or left) in xen_domctl.domain.</summary>
        public long Create(DomctlCreateDomain config, out ushort id, ushort askFor = 0)
        {
            long rc = Domctl(Ctl.Domctl(Abi.Domctl.CreateDomain, askFor, config), out XenDomctl back);
            id = back.Domain;
            return rc;
        }

        /// <summary>A new domain that must be created, with its vCPUs made (max_vcpus) as a toolstack
        /// does next; its <see cref="Domain"/>.</summary>
        public Domain CreateOk(uint vcpus = 1, ushort askFor = 0)
        {
            Assert.Equal(0, Create(Ctl.PvConfig(vcpus), out ushort id, askFor));
            Assert.Equal(0, Domctl(Abi.Domctl.MaxVcpus, id, new DomctlMaxVcpus { Max = vcpus }));
            Domain d = Host.Domains.Find(id);
            Assert.NotNull(d);
            return d;
        }

        public long GetDomainInfo(ushort domain, out DomctlGetDomainInfo info, out ushort answeredFor)
        {
            long rc = Domctl(Ctl.Domctl(Abi.Domctl.GetDomainInfo, domain, new DomctlGetDomainInfo { Domain = 0xBEEF }), out XenDomctl back);
            info = Ctl.Union<DomctlGetDomainInfo>(back);
            answeredFor = back.Domain;
            return rc;
        }

        public DomctlGetDomainInfo InfoOf(ushort domain)
        {
            Assert.Equal(0, GetDomainInfo(domain, out DomctlGetDomainInfo info, out ushort answered));
            Assert.Equal(domain, answered);
            Assert.Equal(domain, info.Domain);
            return info;
        }

        public long Pause(ushort domain) => Domctl(Abi.Domctl.PauseDomain, domain);

        public long Unpause(ushort domain) => Domctl(Abi.Domctl.UnpauseDomain, domain);

        public long Destroy(ushort domain) => Domctl(Abi.Domctl.DestroyDomain, domain);

        public long MaxMem(ushort domain, ulong kib) => Domctl(Abi.Domctl.MaxMem, domain, new DomctlMaxMem { MaxMemKb = kib });

        /// <summary>setvcpucontext with <paramref name="context"/> written at <see cref="ContextAddress"/>.</summary>
        public long SetVcpuContext(ushort domain, uint vcpu, VcpuGuestContext context)
        {
            T.WriteStruct(ContextAddress, context);
            return Domctl(Abi.Domctl.SetVcpuContext, domain, new DomctlVcpuContext { Vcpu = vcpu, Ctxt = ContextAddress });
        }

        public long GetVcpuInfo(ushort domain, uint vcpu, out DomctlGetVcpuInfo info) =>
            Domctl(Abi.Domctl.GetVcpuInfo, domain, new DomctlGetVcpuInfo { Vcpu = vcpu, Online = 0xEE, Blocked = 0xEE, Running = 0xEE }, out info);

        // ---- sysctl ----

        public long Sysctl(XenSysctl op, out XenSysctl back) => Ctl.Sysctl(V0, OpAddress, op, out back);

        public long Sysctl<TU>(uint cmd, TU u, out TU answer) where TU : unmanaged
        {
            long rc = Sysctl(Ctl.Sysctl(cmd, u), out XenSysctl back);
            answer = Ctl.Union<TU>(back);
            return rc;
        }

        // ---- memory_op for another domain ----

        /// <summary>populate_physmap of <paramref name="pfns"/> (order 0) for <paramref name="domain"/>;
        /// returns the extents done and the machine frames given.</summary>
        public long Populate(ushort domain, ulong[] pfns, out ulong[] mfns)
        {
            for (int i = 0; i < pfns.Length; i++)
                T.Write64(Buffer + (ulong)i * 8, pfns[i]);
            T.WriteStruct(OpAddress, new XenMemoryReservation { ExtentStart = Buffer, NrExtents = (ulong)pfns.Length, DomId = domain });
            long rc = T.Hypercall(HypercallNumber.MemoryOp, MemoryOp.PopulatePhysmap, OpAddress);
            mfns = new ulong[pfns.Length];
            for (int i = 0; i < pfns.Length; i++)
                mfns[i] = T.Read64(Buffer + (ulong)i * 8);
            return rc;
        }

        /// <summary>Gives <paramref name="domain"/> max_mem for <paramref name="pages"/> pages and
        /// populates pfns 0..pages-1; the machine frames.</summary>
        public ulong[] GiveMemory(Domain domain, int pages)
        {
            Assert.Equal(0, MaxMem(domain.Id, (ulong)pages * 4));
            var pfns = new ulong[pages];
            for (int i = 0; i < pages; i++)
                pfns[i] = (ulong)i;
            Assert.Equal(pages, Populate(domain.Id, pfns, out ulong[] mfns));
            return mfns;
        }

        // ---- vCPU contexts ----

        /// <summary>A context for a 64-bit PV kernel: CR3 the given L4 frame, kernel selectors, a RIP and
        /// a stack in the upper half, an event callback, online unless asked otherwise.</summary>
        public static VcpuGuestContext Context(ulong l4Frame, bool online = true)
        {
            VcpuGuestContext c = default;
            c.Flags = VcpuGuestContextFlags.InKernel | (online ? VcpuGuestContextFlags.Online : 0);
            c.UserRegs.Rip = 0xFFFF_FFFF_8000_1000;
            c.UserRegs.Rsp = 0xFFFF_FFFF_8020_0000;
            c.UserRegs.Rsi = 0xFFFF_FFFF_8010_0000;   // start_info, as the builder passes it
            c.UserRegs.Cs = FlatSelector.KernelCs;
            c.UserRegs.Ss = FlatSelector.KernelSs;
            c.UserRegs.Rflags = 0x200;
            c.KernelSs = FlatSelector.KernelSs;
            c.KernelSp = 0xFFFF_FFFF_8020_0000;
            c.EventCallbackEip = 0xFFFF_FFFF_8000_2000;
            c.FailsafeCallbackEip = 0xFFFF_FFFF_8000_3000;
            c.CtrlReg[3] = l4Frame << 12;
            return c;
        }

        public static ulong PageAddress(ulong mfn) => mfn << FrameAllocator.FrameShift;

        public bool IsZeroed(ulong mfn)
        {
            for (ulong i = 0; i < 4096; i += 8)
            {
                if (Ram.Read64(PageAddress(mfn) + i) != 0)
                    return false;
            }
            return true;
        }

        public static ushort ShutdownCodeOf(uint flags) => (ushort)((flags >> DomainInfoFlags.ShutdownShift) & DomainInfoFlags.ShutdownMask);

        public static void AssertNoBits(uint flags, uint bits) => Assert.True((flags & bits) == 0, $"flags 0x{flags:x} have 0x{flags & bits:x}");

        public static void AssertBits(uint flags, uint bits) => Assert.True((flags & bits) == bits, $"flags 0x{flags:x} lack 0x{bits & ~flags:x}");
    }
}
