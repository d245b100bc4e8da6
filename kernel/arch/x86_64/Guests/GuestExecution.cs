using System.Runtime;
using System.Runtime.CompilerServices;
using Hypervisor.Core;
using Hypervisor.Core.Boot;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Events;
using Hypervisor.Core.Hypercalls;
using Hypervisor.Core.Time;
using Hypervisor.Core.Text;

namespace Hypervisor.Arch.X86_64
{
    // Runs a vCPU in ring 3 and takes it back on every exit. Entries from a guest save the frame
    // straight into the vCPU's register file (TSS RSP0 points just past it), where the core works on
    // it; the exit path resumes from there, after the core's changes of mode (page-table base, GS
    // base) and of CR0.TS have been applied to the CPU. Nothing is copied.
    internal static unsafe class GuestExecution
    {
        private static Vcpu s_current;
        private static bool s_loadedKernelMode;
        private static bool s_loadedTaskSwitched;
        private static LogWriter s_log;
        private static HypervisorOptions s_options;

        public static void Run(Vcpu vcpu, LogWriter log, HypervisorOptions options)
        {
            s_current = vcpu;
            s_log = log;
            s_options = options;
            vcpu.Domain.State = DomainState.Running;
            vcpu.SegmentBasesChanged = true;   // load every base on the first entry
            GuestRegisters* frame = RegisterFile(vcpu);
            if (((ulong)frame & 15) != 0)
            {
                log.Error().Text("the register file of vCPU ").Dec((ulong)vcpu.Id).Text(" is not 16-byte aligned (").Hex((ulong)frame)
                   .Text("): the runtime's allocator must align array elements").End();
                Stop(vcpu.Domain);
            }
            DescriptorTables.SetGuestRegisterFile((ulong)frame, (ulong)sizeof(GuestRegisters));
            ArmTimer(vcpu.Domain.Host, SystemTime.Now(vcpu.Domain.Host));   // from here on the timer is one-shot
            if (!Resume(vcpu))
                Stop(vcpu.Domain);
            Cpu.EnterGuest(frame);
        }

        // From TrapDispatcher, for every exit that is not an interrupt: the frame is the running
        // vCPU's register file. Returns the frame to resume.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static TrapFrame* OnExit(TrapFrame* frame)
        {
            Vcpu vcpu = s_current;
            ulong cr2 = frame->Vector == 14 ? Cpu.ReadCr2() : 0;
            GuestTrapHandler.Handle(vcpu, cr2);
            return Continue(vcpu);
        }

        // From asm/traps.asm's SYSCALL entry: a hypercall from guest kernel mode, or the guest's own
        // system call from its user mode. The frame is the running vCPU's register file.
        [RuntimeExport("hv_syscall")]
        private static TrapFrame* OnSyscall(TrapFrame* frame)
        {
            Vcpu vcpu = s_current;
            if (vcpu.InKernelMode)
                HypercallDispatcher.Dispatch(vcpu);
            else
                GuestTrapHandler.Handle(vcpu, 0);
            return Continue(vcpu);
        }

        // From TrapDispatcher, for the timer's interrupt in guest mode (already acknowledged): fire what
        // is due, which may raise the vCPU's VIRQ_TIMER, and go on with the guest.
        public static TrapFrame* OnTimerInterrupt(TrapFrame* frame)
        {
            Vcpu vcpu = s_current;
            Host host = vcpu.Domain.Host;
            ulong now = SystemTime.Now(host);
            VcpuTimers.Expire(host, now);
            ArmTimer(host, now);
            return Continue(vcpu);
        }

        // After an exit was handled: wait while the vCPU is blocked, then deliver a due event upcall
        // and resume it, or stop the machine when the domain is gone.
        private static TrapFrame* Continue(Vcpu vcpu)
        {
            Host host = vcpu.Domain.Host;
            if (!vcpu.IsRunnable && vcpu.Domain.IsAlive)
                Idle(vcpu);
            else if (host.TimersChanged)
                ArmTimer(host, SystemTime.Now(host));
            // An upcall is due when vcpu_info's pending byte is set and its mask byte clear (read
            // together, as one word, straight from the direct map).
            if (vcpu.Domain.IsAlive && IsUpcallDue(*(ushort*)PhysicalWindow.ToVirtual(vcpu.VcpuInfoAddress)))
                EventUpcall.DeliverIfDue(vcpu);
            if (!vcpu.Domain.IsAlive || !Resume(vcpu))
                Stop(vcpu.Domain);
            return (TrapFrame*)RegisterFile(vcpu);
        }

        private static bool IsUpcallDue(ushort pendingAndMask) => (pendingAndMask & 0xFF) != 0 && (pendingAndMask & 0xFF00) == 0;

        // The only vCPU waits (SCHEDOP_block or poll): halt until the timer fires or some event wakes it.
        // Interrupts are open only inside the halt (sti's shadow covers hlt, so no wake-up is lost).
        private static void Idle(Vcpu vcpu)
        {
            Host host = vcpu.Domain.Host;
            while (true)
            {
                ulong now = SystemTime.Now(host);
                VcpuTimers.Expire(host, now);
                if (vcpu.IsRunnable || !vcpu.Domain.IsAlive)
                    break;
                ArmTimer(host, now);
                Cpu.WaitForInterrupt();
                Cpu.DisableInterrupts();
            }
            ArmTimer(host, SystemTime.Now(host));
        }

        // Programs the timer for the earliest guest timer, poll timeout or watchdog.
        private static void ArmTimer(Host host, ulong now)
        {
            ulong next = VcpuTimers.NextDeadline(host);
            LocalApic.ArmOneShot(next > now ? next - now : 0);
            host.TimersChanged = false;
        }

        // Loads what the core decided into the CPU and the frame; false when the registers cannot be
        // resumed (the domain has then been crashed).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static bool Resume(Vcpu vcpu)
        {
            if (!ResumableState.Check(vcpu))
                return false;
            X86HostPlatform.LoadTables(GuestMode.CurrentTableFrame(vcpu));
            // The live GS base follows the guest's mode; the MSRs are written only when the mode
            // or a base changed (the guest's own selector loads stay in effect otherwise).
            if (vcpu.InKernelMode != s_loadedKernelMode || vcpu.SegmentBasesChanged)
            {
                Cpu.WriteMsr(Cpu.MsrGsBase, GuestMode.CurrentGsBase(vcpu));
                s_loadedKernelMode = vcpu.InKernelMode;
            }
            if (vcpu.SegmentBasesChanged)
            {
                Cpu.WriteMsr(Cpu.MsrFsBase, vcpu.FsBase);
                vcpu.SegmentBasesChanged = false;
            }
            // CR0.TS itself is set by the exit path after its last FPU instruction (asm/traps.asm).
            if (vcpu.TaskSwitched != s_loadedTaskSwitched)
            {
                Cpu.SetGuestTaskSwitched(vcpu.TaskSwitched);
                s_loadedTaskSwitched = vcpu.TaskSwitched;
            }
            return true;
        }

        // Objects never move in this runtime, so the address stays valid.
        private static GuestRegisters* RegisterFile(Vcpu vcpu) => (GuestRegisters*)Unsafe.AsPointer(ref vcpu.Registers);

        // The only domain has stopped: report, then power off or reboot the machine.
        private static void Stop(Domain domain)
        {
            // A reboot request reboots unless noreboot; a crash powers off unless dom0_crash_reboot.
            bool reboot = domain.State == DomainState.ShutDown
                ? domain.ShutdownReason == (int)Hypervisor.Abi.ShutdownReason.Reboot && !s_options.NoReboot
                : s_options.RebootOnDom0Crash;
            s_log.Info().Text("dom0 has stopped; ").Text(reboot ? "rebooting" : "powering off").Text(".").End();
            s_log.Sink.Flush();
            if (reboot)
                domain.Host.Platform.Reboot();
            domain.Host.Platform.PowerOff();
            StartOfDay.HaltAfterFailedPowerOff(s_log);
        }
    }
}
