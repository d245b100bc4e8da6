using System;
using Hypervisor.Abi;

namespace Hypervisor.Core.Domains
{
    /// <summary>
    /// Delivers an exception, software interrupt or user-mode SYSCALL to the guest kernel the way Xen
    /// does for 64-bit PV: switch to guest kernel mode (onto the kernel stack from stack_switch if the
    /// guest was in user mode), push { RCX, R11, [error code], RIP, CS, RFLAGS, RSP, SS } on the
    /// 16-byte aligned guest stack, with RPL 0 in the saved CS when the guest was in kernel mode, the saved event mask in bits 32-39 of the CS slot and its
    /// inverse in RFLAGS.IF, then continue at the handler with the flat kernel selectors, RCX and R11
    /// as SYSRET leaves them.
    /// </summary>
    public static unsafe class TrapBounce
    {
        /// <summary>Result of a delivery attempt; anything but Delivered means the domain must be crashed.</summary>
        public enum Outcome
        {
            Delivered,
            NoHandler,
            StackNotWritable,
        }

        // The bounce frame is built in a local of this type rather than a stackalloc: a stackalloc makes
        // the compiler check a stack cookie, one more page to read on every bounce.
        [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential, Size = 8 * 8)]
        private struct FrameWords
        {
            public ulong W0;
        }

        private const ulong ClearedOnDelivery = (1UL << 8) | (1UL << 14) | (1UL << 16) | (1UL << 17) | (1UL << 18);   // TF, NT, RF, VM, AC

        /// <summary>Bounces to <paramref name="handler"/>; <paramref name="maskEvents"/> sets the event mask
        /// (trap-table entries with the disable-events flag, callbacks registered with mask_events).</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static Outcome Deliver(Vcpu vcpu, ulong handler, bool maskEvents, bool hasErrorCode, ulong errorCode)
        {
            if (handler == 0)
                return Outcome.NoHandler;
            ref GuestRegisters r = ref vcpu.Registers;
            bool fromUser = !vcpu.InKernelMode;
            ulong stack = fromUser ? vcpu.KernelStackPointer : r.Rsp;
            stack &= ~15UL;

            byte savedMask = VcpuInfoAccess.IsUpcallMasked(vcpu) ? (byte)1 : (byte)0;
            ulong rflags = r.Rflags & ~(GuestRegisters.InterruptFlag | GuestRegisters.IoplMask);
            if (savedMask == 0)
                rflags |= GuestRegisters.InterruptFlag;
            if ((vcpu.Domain.VmAssist & (1UL << VmAssistType.ArchitecturalIopl)) != 0)
                rflags |= (ulong)vcpu.IoPrivilegeLevel << 12;

            FrameWords words;
            ulong* frame = &words.W0;
            int n = 0;
            frame[n++] = r.Rcx;
            frame[n++] = r.R11;
            if (hasErrorCode)
                frame[n++] = errorCode;
            frame[n++] = r.Rip;
            // The saved CS tells the guest where the trap came from: RPL 3 from user mode, RPL 0
            // from its kernel (which really runs in ring 3 too).
            ulong savedCs = fromUser ? r.Cs & 0xFFFF : r.Cs & 0xFFFC;
            frame[n++] = savedCs | ((ulong)savedMask << 32);
            frame[n++] = rflags;
            frame[n++] = r.Rsp;
            frame[n++] = r.Ss;
            ulong bytes = (ulong)n * 8;
            ulong frameAddress = stack - bytes;

            if (fromUser)
                GuestMode.EnterKernel(vcpu);
            if (!GuestMemory.TryWrite(vcpu, frameAddress, new ReadOnlySpan<byte>(frame, n * 8)))
            {
                if (fromUser)
                    GuestMode.EnterUser(vcpu);
                return Outcome.StackNotWritable;
            }
            if (maskEvents)
                VcpuInfoAccess.SetUpcallMask(vcpu, 1);

            r.Rflags &= ~ClearedOnDelivery;
            r.Rsp = frameAddress;
            r.Ss = FlatSelector.Ring3Ss64;
            r.Cs = FlatSelector.KernelCs;
            r.Rip = handler;
            // Xen returns from every bounce with SYSRET, so the handler starts with RCX = its own
            // address and R11 = its RFLAGS (the interrupted values are in the frame). Leaving them so
            // also lets the arch layer return with SYSRET instead of iretq.
            r.Rcx = handler;
            r.R11 = ResumableState.ResumedFlags(r.Rflags);
            return Outcome.Delivered;
        }
    }
}
