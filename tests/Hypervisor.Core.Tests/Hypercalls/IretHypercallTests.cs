using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Hypercalls;
using Hypervisor.Core.Hypercalls.Handlers;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.Hypercalls
{
    /// <summary>iret: the hypercall page's stub pushed RCX, R11 and RAX on the guest's frame, so RSP
    /// points at an iret_context { RAX, R11, RCX, flags, RIP, CS, RFLAGS, RSP, SS }.</summary>
    public class IretHypercallTests
    {
        private const ulong Target = PvKernelElfBuilder.VirtBase + 0x2345;

        private static IretContext Context(ulong cs = 0xE030, ulong rflags = 0x202, ulong flags = 0) => new IretContext
        {
            Rax = 0xAAAA,
            R11 = 0x1111,
            Rcx = 0xCCCC,
            Flags = flags,
            Rip = Target,
            Cs = cs,
            Rflags = rflags,
            Rsp = 0x7FFF_0000_1000,
            Ss = 0xE02B,
        };

        /// <summary>A kernel-mode vCPU whose RSP points at <paramref name="context"/>.</summary>
        private static TestDomain WithContext(IretContext context)
        {
            var t = TestDomain.Create();
            ulong rsp = t.Scratch + 0x4000;
            t.WriteStruct(rsp, context);
            t.SetKernelRegisters(PvKernelElfBuilder.HypercallPageAddress + 23 * 32 + 11, rsp);
            ref GuestRegisters r = ref t.Vcpu.Registers;
            r.Rcx = 0xDEAD;           // SYSCALL clobbered these
            r.R11 = 0xBEEF;
            return t;
        }

        private static long Iret(TestDomain t) => t.Hypercall(HypercallNumber.Iret);

        [Fact]
        public void RegistersComeFromTheContext()
        {
            var t = WithContext(Context());
            Assert.Equal(HypercallResult.RegistersReplaced, Iret(t));
            ref GuestRegisters r = ref t.Vcpu.Registers;
            Assert.Equal(Target, r.Rip);
            Assert.Equal(0xE033UL, r.Cs);                  // RPL forced to 3
            Assert.Equal(0x7FFF_0000_1000UL, r.Rsp);
            Assert.Equal(0xE02BUL, r.Ss);
            Assert.Equal(0xAAAAUL, r.Rax);
            Assert.Equal(0x1111UL, r.R11);
            Assert.Equal(0xCCCCUL, r.Rcx);
            Assert.NotEqual(0UL, r.Rflags & GuestRegisters.InterruptFlag);
            Assert.True(t.Vcpu.InKernelMode);             // RPL 0 in the frame: back to the kernel
            Assert.True(t.Domain.IsAlive);
        }

        [Fact]
        public void ThroughTheHypercallPath_RaxIsTheContextsNotAResult()
        {
            var t = WithContext(Context());
            t.SyscallHypercall(HypercallNumber.Iret);
            Assert.Equal(0xAAAAUL, t.Vcpu.Registers.Rax);
            Assert.Equal(Target, t.Vcpu.Registers.Rip);
            Assert.True(ResumableState.Check(t.Vcpu));
        }

        [Fact]
        public void InSyscall_ReturnsTheSysretWay_RcxIsRipAndR11IsRflags()
        {
            var t = WithContext(Context(flags: IretFlags.InSyscall));
            Iret(t);
            Assert.Equal(t.Vcpu.Registers.Rip, t.Vcpu.Registers.Rcx);
            Assert.Equal(t.Vcpu.Registers.Rflags, t.Vcpu.Registers.R11);
            Assert.Equal(0xAAAAUL, t.Vcpu.Registers.Rax);
        }

        [Fact]
        public void Rflags_LoseIoplAndVm_KeepTheRest_AlwaysIf()
        {
            var t = WithContext(Context(rflags: GuestRegisters.IoplMask | (1UL << 17) | (1UL << 0) | (1UL << 11)));
            Iret(t);
            ulong f = t.Vcpu.Registers.Rflags;
            Assert.Equal(0UL, f & (GuestRegisters.IoplMask | (1UL << 17)));
            Assert.NotEqual(0UL, f & 1);
            Assert.NotEqual(0UL, f & (1UL << 11));
            Assert.NotEqual(0UL, f & GuestRegisters.InterruptFlag);
        }

        [Theory]
        [InlineData(0x202UL, 0)]      // IF set: events on
        [InlineData(0x002UL, 1)]      // IF clear: events masked
        public void EventMask_FollowsTheSavedIf(ulong rflags, byte mask)
        {
            var t = WithContext(Context(rflags: rflags));
            t.SetUpcallMask((byte)(1 - mask));
            Iret(t);
            Assert.Equal(mask, t.UpcallMask);
            Assert.NotEqual(0UL, t.Vcpu.Registers.Rflags & GuestRegisters.InterruptFlag);   // the real IF stays on
        }

        [Fact]
        public void Rpl3Cs_EntersUserMode()
        {
            var t = WithContext(Context(cs: 0xE033));
            t.Vcpu.UserTableFrame = t.Vcpu.KernelTableFrame;
            Iret(t);
            Assert.False(t.Vcpu.InKernelMode);
            Assert.Equal(0xE033UL, t.Vcpu.Registers.Cs);
            Assert.Equal(Target, t.Vcpu.Registers.Rip);
            Assert.True(t.Domain.IsAlive);
        }

        [Fact]
        public void Rpl3Cs_WithoutUserTables_CrashesTheDomain()
        {
            var t = WithContext(Context(cs: 0xE033));
            GuestRegisters before = t.Vcpu.Registers;
            Assert.Equal(HypercallResult.RegistersReplaced, Iret(t));
            Assert.Equal(DomainState.Crashed, t.Domain.State);
            Assert.True(t.Vcpu.InKernelMode);
            Assert.Equal(before.Rip, t.Vcpu.Registers.Rip);
            Assert.Contains("domain 0 vCPU 0: iret: switching to user mode with no user page tables", t.ConsoleText);
        }

        [Theory]
        [InlineData(TestDomain.UnmappedAddress)]
        [InlineData(0xFFFF_8000_0000_0000UL)]
        [InlineData(0x8000_0000_0000_0000UL)]
        public void UnreadableStack_CrashesTheDomain(ulong rsp)
        {
            var t = WithContext(Context());
            t.Vcpu.Registers.Rsp = rsp;
            ulong rip = t.Vcpu.Registers.Rip;
            Assert.Equal(HypercallResult.RegistersReplaced, Iret(t));
            Assert.Equal(DomainState.Crashed, t.Domain.State);
            Assert.Equal(rip, t.Vcpu.Registers.Rip);
            Assert.Contains("iret: the iret context on the guest stack cannot be read", t.ConsoleText);
        }

        [Fact]
        public void ContextRunningOffTheMapping_CrashesTheDomain()
        {
            var t = WithContext(Context());
            t.Vcpu.Registers.Rsp = t.Layout.MappedEnd - 40;
            IretHypercall.Handle(t.Vcpu, default);
            Assert.Equal(DomainState.Crashed, t.Domain.State);
        }

        [Fact]
        public void ABounceAndItsIret_ReturnToWhereTheTrapHappened()
        {
            var t = TestDomain.Create();
            ulong rip = PvKernelElfBuilder.VirtBase + 0x42;
            ulong rsp = t.Scratch + 0x8000;
            t.SetKernelRegisters(rip, rsp);
            t.Vcpu.Registers.Rcx = 0x1234;
            t.Vcpu.Registers.R11 = 0x5678;
            t.Vcpu.Registers.Rax = 0x9ABC;
            t.SetUpcallMask(0);
            Assert.Equal(TrapBounce.Outcome.Delivered, TrapBounce.Deliver(t.Vcpu, PvKernelElfBuilder.VirtBase + 0x800, true, false, 0));

            // The guest's handler returns as a PV kernel does: below the bounce frame's hardware part
            // (RIP, CS, RFLAGS, RSP, SS) it lays out what the iret stub would have pushed, RAX, R11,
            // RCX, then a flags word, and jumps to the stub with RSP there.
            ulong frame = t.Vcpu.Registers.Rsp;
            ulong rcx = t.Read64(frame), r11 = t.Read64(frame + 8);
            ulong context = frame - 16;
            t.Write64(context, 0x9ABC);             // RAX
            t.Write64(context + 8, r11);
            t.Write64(context + 16, rcx);
            t.Write64(context + 24, 0);             // flags: not returning from a syscall
            for (int i = 0; i < 5; i++)
            {
                t.Write64(context + 32 + (ulong)i * 8, t.Read64(frame + 16 + (ulong)i * 8));
            }

            t.Vcpu.Registers.Rsp = context;
            Iret(t);
            ref GuestRegisters r = ref t.Vcpu.Registers;
            Assert.Equal(rip, r.Rip);
            Assert.Equal(rsp, r.Rsp);
            Assert.Equal(0x1234UL, r.Rcx);
            Assert.Equal(0x5678UL, r.R11);
            Assert.Equal(0x9ABCUL, r.Rax);
            Assert.Equal(0xE033UL, r.Cs);
            Assert.Equal(0, t.UpcallMask);          // the handler masked events; the frame's IF unmasks
            Assert.True(t.Vcpu.InKernelMode);
        }
    }
}
