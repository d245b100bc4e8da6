using System;
using Hypervisor.Abi;
using Hypervisor.Core.Hypercalls;
using Hypervisor.Core.Traps;

namespace Hypervisor.Core.Domains
{
    /// <summary>
    /// Everything that brings a running PV guest into the hypervisor, other than interrupts: a SYSCALL
    /// (a hypercall from guest kernel mode, the guest's own system call from user mode) or an
    /// exception. Exceptions are emulated when they are the privileged instructions PV kernels
    /// legitimately execute, otherwise bounced to the guest's trap table; a fault the guest has no
    /// handler for crashes the domain with a line naming domain, vCPU, fault and RIP.
    /// </summary>
    public static class GuestTrapHandler
    {
        private const int InvalidOpcode = 6;
        private const int DeviceNotAvailable = 7;
        private const int GeneralProtection = 13;
        private const int PageFault = 14;
        private const ulong UserModeFault = 1UL << 2;

        /// <summary>Handles the exit recorded in <see cref="Vcpu.Registers"/>; <paramref name="faultAddress"/>
        /// is CR2 for a page fault.</summary>
        public static void Handle(Vcpu vcpu, ulong faultAddress)
        {
            ulong vector = vcpu.Registers.Vector;
            if (vector == GuestRegisters.SyscallVector)
            {
                if (vcpu.InKernelMode)
                    HypercallDispatcher.Dispatch(vcpu);
                else
                    DeliverCallback(vcpu, CallbackKind.Syscall);
                return;
            }
            switch ((int)vector)
            {
                case PageFault:
                    if (vcpu.InKernelMode && PageTableWriteEmulation.TryEmulate(vcpu, faultAddress))
                        return;
                    VcpuInfoAccess.SetCr2(vcpu, faultAddress);
                    // The guest kernel sees its own faults as supervisor faults, as on Xen (it
                    // really runs in ring 3, so the CPU reports user mode).
                    if (vcpu.InKernelMode)
                        vcpu.Registers.ErrorCode &= ~UserModeFault;
                    break;
                case InvalidOpcode:
                    if (PrivilegedInstructions.TryEmulateForced(vcpu))
                        return;
                    break;
                case GeneralProtection:
                    if (TrySoftwareInterrupt(vcpu) || PrivilegedInstructions.TryEmulate(vcpu))
                        return;
                    break;
                case DeviceNotAvailable:
                    // The guest set CR0.TS through fpu_taskswitch: it gets the #NM, and TS is clear again.
                    vcpu.TaskSwitched = false;
                    break;
            }
            Bounce(vcpu, (int)vector, TrapDescription.PushesErrorCode((int)vector), vcpu.Registers.ErrorCode);
        }

        /// <summary>Sends exception <paramref name="vector"/> to the guest's handler, or crashes the domain.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static void Bounce(Vcpu vcpu, int vector, bool hasErrorCode, ulong errorCode)
        {
            TrapTableEntry entry = vcpu.TrapTable[vector];
            bool maskEvents = (entry.Flags & TrapInfoFlags.DisableEvents) != 0;
            TrapBounce.Outcome outcome = TrapBounce.Deliver(vcpu, entry.Address, maskEvents, hasErrorCode, errorCode);
            if (outcome != TrapBounce.Outcome.Delivered)
                CrashUnhandled(vcpu, vector, errorCode, outcome);
        }

        // Out of line: the report's locals (a log line holds references) would otherwise be zeroed on
        // every bounce, in the frame of whatever inlined Bounce.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static void CrashUnhandled(Vcpu vcpu, int vector, ulong errorCode, TrapBounce.Outcome outcome)
        {
            var line = GuestFault.Begin(vcpu).Text("unhandled ");
            line = TrapDescription.Describe(line, vector, errorCode);
            line = line.Text(" at RIP ").Hex(vcpu.Registers.Rip);
            if (vector == PageFault)
                line = line.Text(", CR2 ").Hex(VcpuInfoAccess.ReadCr2(vcpu));
            line.Text(outcome == TrapBounce.Outcome.NoHandler ? ": the guest registered no handler for it" : ": the guest kernel stack cannot take the exception frame").End();
            DomainLifecycle.Crash(vcpu.Domain);
        }

        private static void DeliverCallback(Vcpu vcpu, int kind)
        {
            TrapBounce.Outcome outcome = TrapBounce.Deliver(vcpu, vcpu.Callbacks[kind], vcpu.CallbackMasksEvents[kind], false, 0);
            if (outcome == TrapBounce.Outcome.Delivered)
                return;
            GuestFault.Report(vcpu, outcome == TrapBounce.Outcome.NoHandler
                ? "SYSCALL from guest user mode, but the guest registered no syscall callback"
                : "the guest kernel stack cannot take the syscall frame", vcpu.Registers.Rip);
            DomainLifecycle.Crash(vcpu.Domain);
        }

        /// <summary>"int n" from the guest arrives as #GP (the IDT gates are closed to ring 3). Decode
        /// the instruction rather than trusting the error code, which some emulators get wrong, and
        /// deliver vector n if the guest's trap table lets the current mode raise it.</summary>
        private static bool TrySoftwareInterrupt(Vcpu vcpu)
        {
            Span<byte> code = stackalloc byte[2];
            if (!GuestMemory.TryRead(vcpu, vcpu.Registers.Rip, code) || code[0] != 0xCD)
                return false;
            int vector = code[1];
            TrapTableEntry entry = vcpu.TrapTable[vector];
            int requiredLevel = vcpu.InKernelMode ? 1 : 3;
            if (!entry.IsSet || (entry.Flags & TrapInfoFlags.PrivilegeLevelMask) < requiredLevel)
            {
                Bounce(vcpu, GeneralProtection, true, (ulong)vector * 8 + 2);
                return true;
            }
            vcpu.Registers.Rip += 2;
            Bounce(vcpu, vector, false, 0);
            return true;
        }
    }
}
