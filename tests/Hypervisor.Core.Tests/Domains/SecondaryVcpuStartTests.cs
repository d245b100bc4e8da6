using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Tests.Hypercalls.Control;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.Domains
{
    /// <summary>
    /// What a PV kernel does for its other vCPUs before it starts them, as Linux does: it registers each
    /// one's vcpu_info while they are down (refused only for a vCPU that is up), and starts them with IOPL 1
    /// in the context's RFLAGS, which becomes the vCPU's virtual I/O privilege level (as Xen's
    /// arch_set_info_guest takes it) and leaves the real flags.
    /// </summary>
    public unsafe class SecondaryVcpuStartTests
    {
        private static (TestDomain T, Vcpu V1) New()
        {
            var t = TestDomain.Create(o => o.Vcpus = 2);
            return (t, t.Domain.Vcpus[1]);
        }

        [Fact]
        public void ADownVcpusVcpuInfoIsRegisteredByAnother()
        {
            var (t, v1) = New();
            ulong frame = t.Domain.PhysToMachine[(int)t.Layout.MappedPages];
            ulong request = t.Scratch + 0x100;
            t.WriteStruct(request, new VcpuRegisterVcpuInfo { Mfn = frame, Offset = 64 });

            Assert.Equal(0, t.Hypercall(HypercallNumber.VcpuOp, VcpuOp.RegisterVcpuInfo, 1, request));

            Assert.True(v1.HasRegisteredVcpuInfo);
            Assert.Equal(frame * 4096 + 64, v1.VcpuInfoAddress);
        }

        [Fact]
        public void AnUpVcpusVcpuInfoIsNotRegisteredByAnother()
        {
            var (t, v1) = New();
            v1.KernelTableFrame = t.Vcpu.KernelTableFrame;   // up
            ulong request = t.Scratch + 0x100;
            t.WriteStruct(request, new VcpuRegisterVcpuInfo { Mfn = t.Domain.PhysToMachine[(int)t.Layout.MappedPages], Offset = 64 });
            Assert.Equal(-XenErrno.EINVAL, t.Hypercall(HypercallNumber.VcpuOp, VcpuOp.RegisterVcpuInfo, 1, request));
            Assert.False(v1.HasRegisteredVcpuInfo);
        }

        [Fact]
        public void TheContextsIoplIsTheVcpusIoPrivilegeLevel()
        {
            var (t, v1) = New();
            VcpuGuestContext c = ControlKit.Context(t.Vcpu.KernelTableFrame, online: false);
            c.UserRegs.Rflags = 0x1000 | 0x200;                // IOPL 1, IF
            ulong at = t.Scratch + 0x1000;
            t.WriteStruct(at, c);

            Assert.Equal(0, t.Hypercall(HypercallNumber.VcpuOp, VcpuOp.Initialise, 1, at));

            Assert.Equal(1u, v1.IoPrivilegeLevel);
            Assert.Equal(0UL, v1.Registers.Rflags & GuestRegisters.IoplMask);
        }
    }
}
