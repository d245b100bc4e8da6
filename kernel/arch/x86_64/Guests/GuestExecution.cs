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
        private const int Cpu0 = 0;

        private static Vcpu s_current;
        private static Domain s_controlDomain;
        // When this CPU must ask the scheduler again (end of slice or its tick).
        private static ulong s_runUntil;
        private static bool s_loadedKernelMode;
        private static bool s_loadedTaskSwitched;
        private static LogWriter s_log;
        private static HypervisorOptions s_options;

        public static void Run(Vcpu vcpu, LogWriter log, HypervisorOptions options)
        {
            s_log = log;
            s_options = options;
            Host host = vcpu.Domain.Host;
            s_controlDomain = vcpu.Domain;
            vcpu.Domain.State = DomainState.Running;
            ulong now = SystemTime.Now(host);
            host.Scheduler.Wake(vcpu, now);
            Vcpu first = host.Scheduler.PickNext(Cpu0, null, now, out s_runUntil);
            if (first == null)
                Stop(vcpu.Domain);
            GuestRegisters* frame = RegisterFile(first);
            if (((ulong)frame & 15) != 0)
            {
                log.Error().Text("the register file of vCPU ").Dec((ulong)first.Id).Text(" is not 16-byte aligned (").Hex((ulong)frame)
                   .Text("): the runtime's allocator must align array elements").End();
                Stop(first.Domain);
            }
            SwitchTo(null, first);       // its FPU starts clean (cpu_enter_guest), not from its image
            Cpu.SetFpuSwitch(null, null);
            first.FpuInitialised = true;
            ArmTimer(host, now);         // from here on the timer is one-shot
            if (!Resume(first))
                Stop(first.Domain);
            Cpu.EnterGuest(frame);
        }

        /// <summary>The vCPU running on this CPU.</summary>
        public static Vcpu Current => s_current;

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
        // is due, which may raise the vCPU's VIRQ_TIMER, end the slice when its time has come, and go on.
        public static TrapFrame* OnTimerInterrupt(TrapFrame* frame)
        {
            Vcpu vcpu = s_current;
            Host host = vcpu.Domain.Host;
            ulong now = SystemTime.Now(host);
            VcpuTimers.Expire(host, now);
            if (now >= s_runUntil)
                host.RescheduleRequested = true;
            else
                ArmTimer(host, now);
            return Continue(vcpu);
        }

        // After an exit was handled: let the scheduler choose when the vCPU cannot go on, its slice is
        // over or a woken vCPU should preempt it; deliver a due event upcall and resume what runs.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static TrapFrame* Continue(Vcpu vcpu)
        {
            Host host = vcpu.Domain.Host;
            while (true)
            {
                if (!vcpu.IsRunnable || host.RescheduleRequested)
                    vcpu = Schedule(vcpu, host);
                else if (host.TimersChanged)
                    ArmTimer(host, SystemTime.Now(host));
                // An upcall is due when vcpu_info's pending byte is set and its mask byte clear (read
                // together, as one word, straight from the direct map).
                if (IsUpcallDue(*(ushort*)PhysicalWindow.ToVirtual(vcpu.VcpuInfoAddress)))
                    EventUpcall.DeliverIfDue(vcpu);
                if (vcpu.Domain.IsAlive && Resume(vcpu))
                    return (TrapFrame*)RegisterFile(vcpu);
                // The registers could not be resumed: its domain has been crashed; run something else.
            }
        }

        private static bool IsUpcallDue(ushort pendingAndMask) => (pendingAndMask & 0xFF) != 0 && (pendingAndMask & 0xFF00) == 0;

        // Asks the scheduler what runs next, idling (sti; hlt, timers firing) while nothing can, and
        // switches to it. The machine stops when dom0 has.
        private static Vcpu Schedule(Vcpu current, Host host)
        {
            Vcpu previous = current;
            Vcpu next;
            while (true)
            {
                host.RescheduleRequested = false;
                if (!s_controlDomain.IsAlive)
                    Stop(s_controlDomain);
                ulong now = SystemTime.Now(host);
                VcpuTimers.Expire(host, now);
                next = host.Scheduler.PickNext(Cpu0, current, now, out s_runUntil);
                if (next != null)
                {
                    ArmTimer(host, now);
                    break;
                }
                current = null;
                // Nothing to run: wait for the timer or an interrupt. Interrupts are open only inside the
                // halt (sti's shadow covers hlt, so no wake-up is lost).
                ArmTimer(host, now);
                Cpu.WaitForInterrupt();
                Cpu.DisableInterrupts();
            }
            if (next != previous)
                SwitchTo(previous, next);
            return next;
        }

        // Programs the timer for the earliest guest timer, poll timeout or watchdog, or the scheduler's
        // next decision.
        private static void ArmTimer(Host host, ulong now)
        {
            ulong next = VcpuTimers.NextDeadline(host);
            if (s_runUntil < next)
                next = s_runUntil;
            LocalApic.ArmOneShot(next > now ? next - now : 0);
            host.TimersChanged = false;
        }

        // What stays in the CPU while a vCPU runs goes with it: data selectors, segment bases (a selector
        // load by the guest may have changed them), its guest descriptors in this CPU's GDT, where the CPU
        // saves its registers on the next exit, and its FPU state (swapped by the exit path, once the
        // XMM registers the hypervisor used are the old guest's again).
        private static void SwitchTo(Vcpu previous, Vcpu next)
        {
            ushort* selectors = stackalloc ushort[4];
            int gdtEntries = next.GdtFrameCount * 512;
            void* save = null;
            if (previous != null)
            {
                Cpu.SaveDataSelectors(selectors);
                previous.Ds = selectors[0];
                previous.Es = selectors[1];
                previous.Fs = selectors[2];
                previous.Gs = selectors[3];
                ulong fsBase = Cpu.ReadMsr(Cpu.MsrFsBase), gsBase = Cpu.ReadMsr(Cpu.MsrGsBase);
                if (fsBase != previous.FsBase)
                    previous.FsBase = fsBase;
                if (s_loadedKernelMode && gsBase != previous.GsBaseKernel)
                    previous.GsBaseKernel = gsBase;
                else if (!s_loadedKernelMode && gsBase != previous.GsBaseUser)
                    previous.GsBaseUser = gsBase;
                if (previous.GdtFrameCount * 512 > gdtEntries)
                    gdtEntries = previous.GdtFrameCount * 512;
                save = FpuImage(previous);
            }
            s_current = next;
            VcpuTimeStamps.Stamp(next);           // a fresh time stamp for the vCPU coming in, as Xen's context_switch gives
            if (gdtEntries != 0)
                next.Domain.Host.Platform.LoadGuestDescriptors(next, 0, gdtEntries);
            selectors[0] = UsableSelector(next.Ds);
            selectors[1] = UsableSelector(next.Es);
            selectors[2] = UsableSelector(next.Fs);
            selectors[3] = UsableSelector(next.Gs);
            Cpu.LoadDataSelectors(selectors);
            next.SegmentBasesChanged = true;      // the selector loads replaced both bases
            if (!next.FpuInitialised)
            {
                InitialFpuImage(next);
                next.FpuInitialised = true;
            }
            Cpu.SetFpuSwitch(save, FpuImage(next));
            GuestRegisters* frame = RegisterFile(next);
            DescriptorTables.SetGuestRegisterFile((ulong)frame, (ulong)sizeof(GuestRegisters));
        }

        private static void* FpuImage(Vcpu vcpu)
        {
            int offset = VcpuContext.AlignedFpuOffset(vcpu);
            fixed (byte* start = vcpu.FpuState)
                return start + offset;   // objects do not move in this runtime
        }

        // FNINIT's state with the default MXCSR, as a vCPU that never ran starts with.
        private static void InitialFpuImage(Vcpu vcpu)
        {
            byte* image = (byte*)FpuImage(vcpu);
            for (int i = 0; i < Vcpu.FpuStateSize; i++)
                image[i] = 0;
            *(ushort*)image = 0x037F;                 // FCW
            *(uint*)(image + 24) = 0x1F80;            // MXCSR
            *(uint*)(image + 28) = 0xFFFF;            // MXCSR mask
        }

        // A data selector is loaded in ring 0 here, where a bad one would fault in the hypervisor: only a
        // null selector or one naming a present, readable, accessible descriptor of the GDT goes in; any
        // other becomes null (as a fault while loading it would make it on Xen).
        private static ushort UsableSelector(ushort selector)
        {
            if (selector < 4 || (selector & 4) != 0 || (selector >> 3) >= DescriptorTables.GdtBytes / 8)
                return 0;
            ulong descriptor = ((ulong*)DescriptorTables.GdtBase)[selector >> 3];
            bool present = (descriptor & (1UL << 47)) != 0;
            bool segment = (descriptor & (1UL << 44)) != 0;
            bool code = (descriptor & (1UL << 43)) != 0;
            bool conforming = code && (descriptor & (1UL << 42)) != 0;
            bool readable = !code || (descriptor & (1UL << 41)) != 0;
            int dpl = (int)((descriptor >> 45) & 3);
            if (!present || !segment || !readable || (!conforming && dpl < (selector & 3)))
                return 0;
            return selector;
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

        // Dom0 has stopped: report, then power off or reboot the machine.
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
