using System;
using System.Runtime;
using Internal.Runtime;
using Hypervisor.Core;
using Hypervisor.Core.Acpi;
using Hypervisor.Core.Boot;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Memory;
using Hypervisor.Core.Text;
using Hypervisor.Core.Time;

namespace Hypervisor.Arch.X86_64
{
    // The hypervisor's boot sequence on x86-64, from the first C# instruction to the point where
    // domains would run: console, boot information, memory, page tables, descriptor tables,
    // ACPI, timer, the other CPUs. Each step reports what it found in one or two (HV) lines.
    internal static unsafe class StartOfDay
    {
        public const uint TickHz = 100;
        private const ulong LowMemoryReserved = 1UL << 20;

        private static FrameAllocator s_frames;

        [RuntimeExport("hv_entry")]
        private static void Entry(uint magic, ulong infoAddress)
        {
            ImageLayout image;
            Cpu.GetImageLayout(&image);
            RuntimeHeap.AddRegion((byte*)image.EarlyHeap, image.EarlyHeapEnd - image.EarlyHeap);
            ModuleInitializer.InitializeModules((void**)image.ModulesStart, (void**)image.ModulesEnd);

            SerialPort serial = new SerialPort(HypervisorOptions.DefaultCom1IoBase, HypervisorOptions.DefaultBaud);
            LogWriter log = new LogWriter(serial, LogLevel.Info);
            Panic.Install(log);
            TrapDispatcher.Install(log);
            RuntimeFailure.SetHandler(&Panic.OnRuntimeFailure);
            log.Info().Text("Hypervisor ").Text(HypervisorVersion.Text).Text(": a paravirtualizing hypervisor in C# (x86-64, Xen PV ABI)").End();

            // Boot information and command line.
            DirectMapMemory memory = new DirectMapMemory();
            BootParseResult boot = MultibootParser.Parse(memory, magic, infoAddress);
            if (!boot.Succeeded)
            {
                log.Error().Text("cannot read the boot information: ").Text(boot.FailureReason).Text(" (").Hex(boot.FailureValue).Text(")").End();
                StopOnBadInput(log, memory, 0, "the hypervisor needs a multiboot loader (GRUB, or qemu -kernel)");
            }
            BootInfo info = boot.Info;
            BootWarningList warnings = new BootWarningList();
            ReadOnlySpan<byte> commandLine = CommandLine.SkipImageName(info.CommandLine, info.LoaderName);
            HypervisorOptions options = CommandLine.Parse(commandLine, warnings);
            log.Level = options.LogLevel;
            LogLine bootLine = log.Info().Text("Boot: multiboot").Dec(info.Protocol == BootProtocol.Multiboot2 ? 2UL : 1UL);
            if (info.LoaderName != null)
                bootLine.Text(" from \"").Text(info.LoaderName).Text("\"");
            bootLine.End();
            log.Info().Text("Command line: \"").Text(commandLine).Text("\"").End();
            boot.Warnings.WriteTo(log);
            warnings.WriteTo(log);
            if (options.TestFault != TestFault.None)

            // Memory: the map, then the frame allocator over it.
            warnings = new BootWarningList();
            MemoryMapStatus mapStatus = MemoryMap.Build(info.MemoryRegions, warnings, out MemoryMap map);
            warnings.WriteTo(log);
            if (mapStatus != MemoryMapStatus.Ok)
            {
                log.Error().Text("the boot loader's memory map is unusable: ").Text(MemoryMap.Describe(mapStatus)).End();
                StopOnBadInput(log, memory, info.HasRsdp ? info.RsdpAddress : 0, "there is no memory to run in");
            }
            log.Info().Text("Memory map (").Dec((ulong)map.Count).Text(" regions):").End();
            for (int i = 0; i < map.Count; i++)
            {
                MemoryRegion region = map[i];
                log.Info().Text("  ").Hex(region.Base).Char('-').Hex(region.End - 1).Char(' ').Text(MemoryKinds.Name(region.Kind)).End();
            }
            s_frames = new FrameAllocator(map);
            ulong imagePhysical = image.ImageStart - image.VirtualOffset;
            s_frames.Reserve(0, LowMemoryReserved);
            // Nothing below 1 MiB is ever allocated (above), so the page where the other CPUs will
            // start stays free from here on.
            StartupTrampoline.Choose(map, info);
            s_frames.Reserve(imagePhysical, image.ImageEnd - image.ImageStart);
            s_frames.Reserve(info.InfoAddress, info.InfoLength);
            for (int i = 0; i < info.Modules.Length; i++)
                ReserveModule(log, map, info.Modules[i], i);
            log.Info().Text("Memory: ").Dec(map.TotalUsableBytes >> 20).Text(" MiB usable; frames: ")
               .Dec(s_frames.FreeFrames).Text(" free, ").Dec(s_frames.UsedFrames).Text(" used of ").Dec(s_frames.TotalFrames).End();

            // The hypervisor's own page tables, then the heap may grow from the frame allocator.
            ulong top = map.HighestUsableAddress;
            if (!HypervisorPageTables.Build(s_frames, top, image))
                Panic.Fatal("cannot build the hypervisor's page tables: no free frames below 4 GiB");
            RuntimeHeap.SetRefill(&GrowHeap);
            log.Info().Text("Paging: direct map of ").Size(HypervisorPageTables.DirectMapLimit).Text(" at ").Hex(PhysicalWindow.DirectMapBase)
               .Text(", image at ").Hex(image.ImageStart).Text(" (").Dec(HypervisorPageTables.TableFrames).Text(" table frames)").End();

            // x87 errors raise #MF (CR0.NE) rather than the legacy external interrupt: guests expect it.
            Cpu.WriteCr0(Cpu.ReadCr0() | (1UL << 5));

            // Descriptor tables, exceptions and SYSCALL.
            LegacyPic.RemapAndMask();
            if (!DescriptorTables.Load(s_frames))
                Panic.Fatal("cannot allocate the GDT, IDT, TSS and their stacks");
            log.Info().Text("CPU: GDT, TSS (IST stacks for #DF, NMI, #MC), IDT and SYSCALL set up").End();
            if (options.TestFault != TestFault.None)
                RaiseTestFault(log, options.TestFault);

            // ACPI.
            warnings = new BootWarningList();
            AcpiTables acpi = AcpiTables.Parse(memory, info.HasRsdp ? info.RsdpAddress : 0, warnings);
            warnings.WriteTo(log);
            ReportAcpi(log, acpi);

            // The timer.
            LocalApic.Enable();
            TimerCalibrationStatus calibration = LocalApic.Calibrate();
            if (calibration != TimerCalibrationStatus.Ok || LocalApic.StartPeriodic(TickHz) != TimerCalibrationStatus.Ok)
                log.Error().Text("Timer: the local APIC timer could not be calibrated against the PIT; no periodic tick").End();
            else
                CheckTicks(log);

            // The other CPUs: started, set up like this one, then idle until guests run. Every lazy class
            // constructor runs first, here.
            StaticConstructors.RunAll();
            ApplicationProcessors.Start(log, s_frames, acpi, options, image.BootPageTable);

            // Domain 0.
            if (info.Modules.Length == 0)
            {
                log.Info().Text("no dom0: no boot module was given, so there is no domain to run").End();
                ShutDown(log, acpi);
            }
            Host host = DomainZero.CreateHost(log, memory, s_frames, map, acpi, options, commandLine);
            if (host == null)
                ShutDown(log, acpi);
            Vcpu vcpu = DomainZero.Build(host, info, options);
            if (vcpu == null)
                ShutDown(log, acpi);
            GuestExecution.Run(vcpu, log, options);
        }

        private static void ReserveModule(LogWriter log, MemoryMap map, BootModule module, int index)
        {
            if (module.End <= module.Start || !map.IsUsable(module.Start, module.Length))
            {
                log.Warning().Text("boot module ").Dec((ulong)index).Text(" at ").Hex(module.Start).Char('-').Hex(module.End)
                   .Text(" is empty or lies outside usable RAM; it is ignored").End();
                return;
            }
            s_frames.Reserve(module.Start, module.Length);
            log.Info().Text("Module ").Dec((ulong)index).Text(": ").Hex(module.Start).Char('-').Hex(module.End).Text(" (").Size(module.Length)
               .Text(") \"").Text(module.CommandLine).Text("\"").End();
        }

        private static void ReportAcpi(LogWriter log, AcpiTables acpi)
        {
            if (!acpi.Found)
            {
                log.Warning().Text("ACPI: no tables found; power-off will not be possible").End();
                return;
            }
            LogLine line = log.Info().Text("ACPI: RSDP at ").Hex(acpi.RsdpAddress).Text(" revision ").Dec(acpi.RsdpRevision)
                .Text(" OEM \"").Text(acpi.OemId).Text("\", ").Text(acpi.UsesXsdt ? "XSDT" : "RSDT").Text(" with ").Dec((ulong)acpi.TableCount).Text(" tables:");
            for (int i = 0; i < acpi.TableCount; i++)
                line.Char(' ').Text(AcpiSignature.ToBytes(acpi[i].Signature));
            line.End();
            if (acpi.HasMadt)
                log.Info().Text("ACPI: MADT: ").Dec((ulong)acpi.EnabledCpuCount).Text(" CPU(s), local APIC at ").Hex(acpi.LocalApicAddress)
                   .Text(", ").Dec((ulong)acpi.IoApicCount).Text(" I/O APIC(s)").End();
            if (acpi.CanPowerOff)
                log.Info().Text("ACPI: power-off through PM1a control at port ").Hex(acpi.Pm1aControlBlock, 4).Text(" (S5 sleep type ").Dec(acpi.SlpTypA).Text(")").End();
        }

        private static void CheckTicks(LogWriter log)
        {
            log.Info().Text("Timer: local APIC timer runs at ").Dec(LocalApic.TimerFrequencyHz / 1000).Text(" kHz (measured against the PIT); TSC at ")
               .Dec(LocalApic.TscFrequencyHz / 1000000).Text(" MHz; tick set to ").Dec(LocalApic.PeriodHz).Text(" Hz").End();
            const ulong wanted = 10;
            ulong start = Cpu.ReadTsc();
            ulong limit = LocalApic.TscFrequencyHz * 5;   // five seconds of TSC time
            LocalApic.Ticks = 0;
            while (LocalApic.Ticks < wanted && Cpu.ReadTsc() - start < limit)
                Cpu.WaitForInterrupt();
            Cpu.DisableInterrupts();
            ulong elapsed = Cpu.ReadTsc() - start;
            ulong ticks = LocalApic.Ticks;
            if (ticks < wanted)
            {
                log.Error().Text("Timer: only ").Dec(ticks).Text(" ticks arrived in 5 s; the periodic timer is not working").End();
                return;
            }
            ulong elapsedMicros = elapsed / (LocalApic.TscFrequencyHz / 1000000 == 0 ? 1 : LocalApic.TscFrequencyHz / 1000000);
            log.Info().Text("Timer: ").Dec(ticks).Text(" ticks in ").Dec(elapsedMicros / 1000).Text(" ms, a measured rate of ")
               .Dec(elapsedMicros == 0 ? 0 : ticks * 1000000 / elapsedMicros).Text(" Hz").End();
        }

        // Bad input from the boot loader is not a hypervisor bug: say what is wrong and turn the
        // machine off, finding the ACPI tables through the boot identity map if need be.
        private static void StopOnBadInput(LogWriter log, PhysicalMemory memory, ulong rsdpHint, string consequence)
        {
            log.Error().Text("cannot continue: ").Text(consequence).End();
            BootWarningList ignored = new BootWarningList();
            ShutDown(log, AcpiTables.Parse(memory, rsdpHint, ignored));
        }

        private static void ShutDown(LogWriter log, AcpiTables acpi)
        {
            log.Info().Text("Powering off.").End();
            log.Sink.Flush();
            PowerControl.TryPowerOff(acpi);
            HaltAfterFailedPowerOff(log);
        }

        // What is left when ACPI could not turn the machine off.
        internal static void HaltAfterFailedPowerOff(LogWriter log)
        {
            log.Error().Text("power-off did not happen (no ACPI S5 support found); the CPU is halted instead").End();
            Cpu.HaltForever();
        }

        // The frame allocator's memory, handed to the managed heap when its region runs out.
        private static byte* GrowHeap(ulong bytes)
        {
            ulong frames = bytes / FrameAllocator.FrameSize;
            if (!s_frames.TryAllocateContiguous(frames, 1, out ulong physical))
                return null;
            return PhysicalWindow.ToVirtual(physical);
        }


        private static void RaiseTestFault(LogWriter log, TestFault fault)
        {
            log.Info().Text("test_fault: raising a deliberate fault to exercise the panic screen").End();
            switch (fault)
            {
                case TestFault.InvalidOpcode: Cpu.UndefinedInstruction(); break;
                case TestFault.PageFault: Cpu.ReadQword(0x1000); break;             // the low half is unmapped now
                case TestFault.GeneralProtection: Cpu.ReadQword(0x8000000000000000UL); break;   // non-canonical
                case TestFault.DivideError: Cpu.DivideByZero(); break;
            }
            Panic.Fatal("test_fault: the deliberate fault did not happen");
        }
    }
}
