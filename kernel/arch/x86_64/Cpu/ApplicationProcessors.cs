using System.Runtime;
using Hypervisor.Core.Acpi;
using Hypervisor.Core.Boot;
using Hypervisor.Core.Memory;
using Hypervisor.Core.Text;

namespace Hypervisor.Arch.X86_64
{
    // Starts the other CPUs (application processors) with INIT-SIPI-SIPI, one at a time, and gives each
    // what the boot CPU has: its own GDT, TSS and stacks, the shared IDT, SYSCALL, its local APIC set up
    // as the boot CPU's. They then idle (sti; hlt) and answer IPIs; they run no guest yet.
    //
    // The boot CPU prepares everything a CPU needs (tables, stacks) before starting it, and waits for it
    // with a timeout: the CPU being started allocates nothing and logs nothing, so nothing is shared
    // while it runs, and one that never answers is sent INIT again (parked) and skipped, its prepared
    // index and tables going to the next. CPU indexes stay dense: 0 the boot CPU, 1 to CpuCount - 1.
    internal static unsafe class ApplicationProcessors
    {
        // The MP specification's delays: INIT to the first SIPI, then between SIPIs.
        private const ulong InitDelayMicroseconds = 10_000;
        private const ulong StartupDelayMicroseconds = 200;
        // How long a CPU may take, generous for an emulator on a busy host: to reach the image after
        // the SIPIs, and then to finish its set-up (tables, APIC, the timer check).
        private const ulong StartTimeoutMicroseconds = 1_000_000;
        private const ulong OnlineTimeoutMicroseconds = 5_000_000;
        private const ulong IpiTimeoutMicroseconds = 1_000_000;
        // A new CPU checks that its timer interrupts it: a one-shot this far ahead, waited for this long.
        private const ulong TimerCheckNanoseconds = 1_000_000;
        private const ulong TimerCheckTimeoutMicroseconds = 1_000_000;

        private const ulong IdleStackBytes = 4 * FrameAllocator.FrameSize;

        // The boot CPU's control registers, which every CPU takes (CR0.NE, CR4.PGE and what else start
        // of day set). Written before the first SIPI, read by the started CPUs.
        private static ulong s_cr0;
        private static ulong s_cr4;

        /// <summary>
        /// Chooses the CPUs (MADT, nosmp / maxcpus=), starts every one but the boot CPU and reports each,
        /// then the count online. Needs the calibrated TSC for its delays; without it, or without a
        /// trampoline page, the boot CPU runs alone. Never hangs: each CPU has a timeout.
        /// </summary>
        public static void Start(LogWriter log, FrameAllocator frames, AcpiTables acpi, HypervisorOptions options, ulong bootTables)
        {
            PerCpu* boot = PerCpu.Of(0);
            boot->ApicId = LocalApic.Id;
            boot->State = (int)CpuState.Online;
            PerCpu.SetCpuCount(1);

            CpuSelection selection = CpuSelection.Choose(acpi.Processors, boot->ApicId, options.CpuLimit, PerCpu.MaxCpus, LocalApic.HighestXApicId);
            ReportSelection(log, acpi, selection, boot->ApicId);
            int online = 1;
            if (selection.Count > 1)
                online = StartAll(log, frames, selection, bootTables);
            PerCpu.SetCpuCount(online);

            LogLine summary = log.Info().Dec((ulong)online).Text(online == 1 ? " CPU online" : " CPUs online");
            if (selection.LeftOutByOption > 0)
            {
                summary.Text(" (").Dec((ulong)selection.LeftOutByOption).Text(" more left offline by ");
                if (options.NoSmp)
                    summary.Text("nosmp)");
                else
                    summary.Text("maxcpus=").Dec(options.MaxCpus).Text(")");
            }
            summary.End();
            if (online > 1)
                CheckIpis(log, online);
        }

        private static int StartAll(LogWriter log, FrameAllocator frames, CpuSelection selection, ulong bootTables)
        {
            if (LocalApic.TscFrequencyHz == 0 || LocalApic.TimerFrequencyHz == 0)
            {
                log.Warning().Text("SMP: the timer is not calibrated, so the other CPUs are not started (their start-up needs timed delays)").End();
                return 1;
            }
            if (!StartupTrampoline.Install(bootTables, HypervisorPageTables.RootPhysical))
            {
                log.Warning().Text("SMP: no free page below 1 MiB for the start-up code, so the other CPUs are not started").End();
                return 1;
            }
            s_cr0 = Cpu.ReadCr0();
            s_cr4 = Cpu.ReadCr4();

            int next = 1;          // the index the next CPU to answer gets
            bool prepared = false; // whether that index has its tables and stack already
            for (int i = 1; i < selection.Count; i++)
            {
                if (!prepared)
                {
                    if (!DescriptorTables.Prepare(frames, next) || !AllocateStack(frames, out ulong stack))
                    {
                        log.Warning().Text("SMP: no memory for the tables and stacks of another CPU; ")
                           .Dec((ulong)(selection.Count - i)).Text(" CPU(s) left offline").End();
                        break;
                    }
                    PerCpu.Of(next)->IdleStackTop = stack;
                    prepared = true;
                }
                uint apicId = selection.ApicIds[i];
                if (StartOne(log, next, apicId))
                {
                    log.Info().Text("CPU ").Dec((ulong)next).Text(" is up (APIC id ").Dec(apicId).Text(")").End();
                    if (Cpu.AtomicLoad(&PerCpu.Of(next)->TimerFired) == 0)
                        log.Warning().Text("CPU ").Dec((ulong)next).Text(": its local APIC timer did not interrupt it within 1 s").End();
                    next++;
                    prepared = false;
                }
            }
            return next;
        }

        // INIT, then up to two SIPIs (the second only when the first was not enough), as the MP
        // specification describes; then waits for the CPU to come online.
        private static bool StartOne(LogWriter log, int index, uint apicId)
        {
            PerCpu* cpu = PerCpu.Of(index);
            cpu->ApicId = apicId;
            cpu->Ticks = 0;
            cpu->IpisReceived = 0;
            cpu->WakeRequested = 0;
            cpu->TimerFired = 0;
            StartupTrampoline.Prepare(index, cpu->IdleStackTop);
            Cpu.AtomicStore(&cpu->State, (int)CpuState.Starting);

            bool accepted = LocalApic.SendInit(apicId);
            Delay(InitDelayMicroseconds);
            for (int sipi = 0; sipi < 2 && accepted && !StartupTrampoline.Started; sipi++)
            {
                accepted = LocalApic.SendStartup(apicId, StartupTrampoline.Vector);
                Delay(StartupDelayMicroseconds);
            }

            string failure = null;
            if (!accepted)
                failure = "its local APIC did not accept INIT or SIPI";
            else if (!WaitFor(&StartedCheck, index, StartTimeoutMicroseconds))
                failure = "no answer to INIT-SIPI-SIPI within 1 s";
            else if (!WaitFor(&OnlineCheck, index, OnlineTimeoutMicroseconds))
                failure = "it started but did not finish its set-up within 5 s";
            if (failure == null)
                return true;

            LocalApic.SendInit(apicId);   // parked: it must not wake up later on a reused index
            Cpu.AtomicStore(&cpu->State, (int)CpuState.Failed);
            log.Warning().Text("CPU with APIC id ").Dec(apicId).Text(" did not start (").Text(failure).Text("); it is left offline").End();
            return false;
        }

        private static bool StartedCheck(int index) => StartupTrampoline.Started;

        private static bool OnlineCheck(int index) => PerCpu.Of(index)->IsOnline;

        private static bool WaitFor(delegate*<int, bool> done, int index, ulong microseconds)
        {
            ulong start = Cpu.ReadTsc();
            ulong limit = microseconds * (LocalApic.TscFrequencyHz / 1_000_000);
            while (!done(index))
            {
                if (Cpu.ReadTsc() - start > limit)
                    return done(index);
                Cpu.Pause();
            }
            return true;
        }

        private static void Delay(ulong microseconds)
        {
            ulong start = Cpu.ReadTsc();
            ulong limit = microseconds * (LocalApic.TscFrequencyHz / 1_000_000);
            while (Cpu.ReadTsc() - start < limit)
                Cpu.Pause();
        }

        // Every started CPU takes an IPI from the boot CPU: the vector, the handler and the wake-up work.
        private static void CheckIpis(LogWriter log, int online)
        {
            ulong timeout = IpiTimeoutMicroseconds * (LocalApic.TscFrequencyHz / 1_000_000);
            for (int cpu = 1; cpu < online; cpu++)
            {
                if (!InterProcessorInterrupts.RoundTrip(cpu, timeout))
                    log.Warning().Text("CPU ").Dec((ulong)cpu).Text(" did not take an IPI within 1 s").End();
            }
        }

        private static void ReportSelection(LogWriter log, AcpiTables acpi, CpuSelection selection, uint bootApicId)
        {
            if (acpi.HasMadt && !selection.BootCpuListed)
                log.Warning().Text("SMP: the boot CPU's APIC id ").Dec(bootApicId).Text(" is not in the MADT").End();
            if (selection.Unreachable > 0)
                log.Warning().Text("SMP: ").Dec((ulong)selection.Unreachable)
                   .Text(" CPU(s) with APIC ids above 254 left offline (they need x2APIC mode, which is not supported)").End();
            if (selection.LeftOutByCapacity > 0)
                log.Warning().Text("SMP: ").Dec((ulong)selection.LeftOutByCapacity).Text(" CPU(s) beyond the limit of ")
                   .Dec(PerCpu.MaxCpus).Text(" left offline").End();
        }

        private static bool AllocateStack(FrameAllocator frames, out ulong top)
        {
            top = 0;
            if (!frames.TryAllocateContiguous(IdleStackBytes / FrameAllocator.FrameSize, 1, out ulong physical))
                return false;
            top = (ulong)PhysicalWindow.ToVirtual(physical) + IdleStackBytes;
            return true;
        }

        // ---- On the started CPU (asm/trampoline.asm calls it on its prepared stack, interrupts off) ----

        [RuntimeExport("hv_ap_entry")]
        private static void Entry(int index)
        {
            Cpu.WriteCr0(s_cr0);
            Cpu.WriteCr4(s_cr4);
            DescriptorTables.Activate(index);   // first: the trampoline's GDT is no longer mapped
            LocalApic.EnableThisCpu();
            PerCpu* self = PerCpu.Of(index);
            Cpu.AtomicStore(&self->TimerFired, CheckTimer(self) ? 1 : 0);
            Cpu.AtomicStore(&self->State, (int)CpuState.Online);
            Idle(self);
        }

        // A one-shot on this CPU's timer must interrupt it, through the shared IDT and its own stacks.
        // Interrupts are open only for this wait (and in the idle loop's halt).
        private static bool CheckTimer(PerCpu* self)
        {
            ulong before = Cpu.AtomicLoad(&self->Ticks);
            ulong start = Cpu.ReadTsc();
            ulong limit = TimerCheckTimeoutMicroseconds * (LocalApic.TscFrequencyHz / 1_000_000);
            LocalApic.ArmOneShotOnly(TimerCheckNanoseconds);
            Cpu.EnableInterrupts();
            while (Cpu.AtomicLoad(&self->Ticks) == before && Cpu.ReadTsc() - start < limit)
                Cpu.Pause();
            Cpu.DisableInterrupts();
            return Cpu.AtomicLoad(&self->Ticks) != before;
        }

        /// <summary>Where a started CPU waits: halted with interrupts open; after an IPI, its WakeHook
        /// (if any) runs here, interrupts off. sti's one-instruction shadow covers hlt, so an IPI
        /// arriving between the check and the halt still ends the halt.</summary>
        private static void Idle(PerCpu* self)
        {
            while (true)
            {
                Cpu.DisableInterrupts();
                if (Cpu.AtomicExchange(&self->WakeRequested, 0) != 0)
                {
                    delegate*<int, void> hook = self->WakeHook;
                    if (hook != null)
                        hook(self->Index);
                    continue;
                }
                Cpu.WaitForInterrupt();
            }
        }
    }
}
