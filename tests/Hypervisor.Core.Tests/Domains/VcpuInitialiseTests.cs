using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Memory;
using Hypervisor.Core.Tests.Hypercalls.Control;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.Domains
{
    /// <summary>
    /// VCPUOP_initialise: how a guest starts its other vCPUs, with the same checks as the toolstack's
    /// setvcpucontext (<see cref="VcpuContext"/>). A domain of two vCPUs whose vCPU 0 runs on the test
    /// domain's page tables (so its arguments are readable) and owns a zeroed frame for an L4.
    /// </summary>
    public unsafe class VcpuInitialiseTests
    {
        private sealed class Guest
        {
            public readonly ControlKit K = new ControlKit();
            public readonly EventGuest G;
            public readonly ulong L4;
            public readonly ulong OtherL4;

            public Guest()
            {
                G = EventGuest.HandBuilt(K.T, 7, privileged: false, vcpus: 2);
                Domain.Vcpus[1].KernelTableFrame = 0;   // vCPU 1 was never started
                L4 = OwnedFrame();
                OtherL4 = OwnedFrame();
            }

            public Domain Domain => G.Domain;
            public Vcpu Second => Domain.Vcpus[1];

            private ulong OwnedFrame()
            {
                Assert.True(K.Host.Frames.TryAllocate(out ulong address));
                K.Ram.Fill(address, 4096, 0);
                Assert.Equal(0, K.Frames.Assign(address >> 12, Domain.Id));
                return address >> 12;
            }

            public long VcpuOp(int cmd, uint vcpu, ulong arg = 0) => G.Call(HypercallNumber.VcpuOp, (ulong)cmd, vcpu, arg);

            public long Initialise(uint vcpu, VcpuGuestContext context)
            {
                K.T.WriteStruct(K.ContextAddress, context);
                return VcpuOp(Abi.VcpuOp.Initialise, vcpu, K.ContextAddress);
            }
        }

        [Fact]
        public void InitialiseStartsAVcpuThatComesUpWithVcpuopUp()
        {
            var g = new Guest();
            VcpuGuestContext c = ControlKit.Context(g.L4, online: false);
            c.UserRegs.Rdi = 0x4242;
            c.SyscallCallbackEip = 0xFFFF_FFFF_8000_6000;
            c.Flags |= VcpuGuestContextFlags.SyscallDisablesEvents;

            Assert.Equal(0, g.Initialise(1, c));
            Assert.True(g.Second.IsInitialised);
            Assert.False(g.Second.IsUp);
            Assert.Equal(0, g.VcpuOp(Abi.VcpuOp.IsUp, 1));
            Assert.Equal(g.L4, g.Second.KernelTableFrame);
            Assert.Equal(PageType.L4, g.K.Frames.TypeOf(g.L4));
            Assert.Equal(0xFFFF_FFFF_8000_1000UL, g.Second.Registers.Rip);
            Assert.Equal(0x4242UL, g.Second.Registers.Rdi);
            Assert.Equal(0xFFFF_FFFF_8000_6000UL, g.Second.Callbacks[CallbackKind.Syscall]);
            Assert.True(g.Second.CallbackMasksEvents[CallbackKind.Syscall]);
            Assert.False(g.Second.CallbackMasksEvents[CallbackKind.Failsafe]);
            Assert.True(g.Second.CallbackMasksEvents[CallbackKind.Event]);

            Assert.Equal(0, g.VcpuOp(Abi.VcpuOp.Up, 1));
            Assert.Equal(1, g.VcpuOp(Abi.VcpuOp.IsUp, 1));
            Assert.True(g.Second.IsRunnable);
        }

        [Fact]
        public void WithTheOnlineFlagTheVcpuIsUpAtOnce()
        {
            var g = new Guest();
            Assert.Equal(0, g.Initialise(1, ControlKit.Context(g.L4)));
            Assert.Equal(1, g.VcpuOp(Abi.VcpuOp.IsUp, 1));
        }

        [Fact]
        public void AnInitialisedVcpuIsEexist()
        {
            var g = new Guest();
            Assert.Equal(0, g.Initialise(1, ControlKit.Context(g.L4)));
            uint count = g.K.Frames.TypeCountOf(g.L4);
            Assert.Equal(-XenErrno.EEXIST, g.Initialise(1, ControlKit.Context(g.OtherL4)));
            Assert.Equal(-XenErrno.EEXIST, g.Initialise(0, ControlKit.Context(g.OtherL4)));
            Assert.Equal(count, g.K.Frames.TypeCountOf(g.L4));
            Assert.Equal(0u, g.K.Frames.TypeCountOf(g.OtherL4));
        }

        [Fact]
        public void ABadContextLeavesTheVcpuAsItWas_ThenAGoodOneStartsIt()
        {
            var g = new Guest();
            // Dom0's L4 is no table of this domain.
            Assert.Equal(-XenErrno.EINVAL, g.Initialise(1, ControlKit.Context(g.K.V0.KernelTableFrame)));
            VcpuGuestContext c = ControlKit.Context(g.L4);
            c.UserRegs.Rsp = 0x8000_0000_0000_0000;
            Assert.Equal(-XenErrno.EINVAL, g.Initialise(1, c));
            c = ControlKit.Context(g.L4);
            c.CtrlReg[1] = g.K.V0.KernelTableFrame << 12;   // a user base that is not the domain's
            Assert.Equal(-XenErrno.EINVAL, g.Initialise(1, c));
            Assert.False(g.Second.IsInitialised);
            Assert.Equal(0, g.VcpuOp(Abi.VcpuOp.IsUp, 1));
            Assert.Equal(0u, g.K.Frames.TypeCountOf(g.L4));
            Assert.Equal(0u, g.K.Frames.ReferencesOf(g.L4));

            c = ControlKit.Context(g.L4);
            c.CtrlReg[1] = g.OtherL4 << 12;
            Assert.Equal(0, g.Initialise(1, c));
            Assert.Equal(g.OtherL4, g.Second.UserTableFrame);
            Assert.Equal(PageType.L4, g.K.Frames.TypeOf(g.OtherL4));
            Assert.Equal(0UL, g.K.Frames.AccountingErrors);
        }
    }
}
