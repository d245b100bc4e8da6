using System;
using Hypervisor.Core;
using Hypervisor.Core.Acpi;
using Hypervisor.Core.Boot;
using Hypervisor.Core.DomainBuilding;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Memory;
using Hypervisor.Core.Text;
using Hypervisor.Core.Time;

namespace Hypervisor.Arch.X86_64
{
    // Start of day for domains: the frame table and M2P over all RAM, then dom0 from the first boot
    // module (its string is "kernel-name arguments"; the arguments become dom0's command line) with
    // the second module as its initrd, as under Xen.
    internal static unsafe class DomainZero
    {
        private const ulong FrameSize = FrameAllocator.FrameSize;
        private const ulong MinimumReserve = 16UL << 20;

        public static Host CreateHost(LogWriter log, PhysicalMemory memory, FrameAllocator frames, MemoryMap map,
                                      AcpiTables acpi, HypervisorOptions options, ReadOnlySpan<byte> commandLine)
        {
            var host = new Host(memory, frames, log, new X86HostPlatform(acpi, options.Reboot));
            host.CommandLine = AsciiBytes.Copy(commandLine);
            host.BootMemoryMap = map;
            host.Platform.Cpuid(0x80000008, 0, out uint addressSizes, out _, out _, out _);
            if ((addressSizes & 0xFF) != 0)
                host.PhysicalAddressBits = (int)(addressSizes & 0xFF);
            ulong frameCount = map.HighestUsableAddress / FrameSize;
            host.FrameTable = new FrameTable(memory, frameCount);
            host.FrameTable.AssignIoFrames(map);
            ulong m2pFrames = (frameCount * 8 + FrameSize - 1) / FrameSize;
            if (!frames.TryAllocateContiguous(m2pFrames, 512, out ulong m2pBase)
                && !frames.TryAllocateContiguous(m2pFrames, 1, out m2pBase))
            {
                log.Error().Text("cannot allocate the machine-to-physical table (").Size(m2pFrames * FrameSize).Text(")").End();
                return null;
            }
            host.MachineToPhys = new MachineToPhys(memory, m2pBase, frameCount);
            host.MachineToPhys.InvalidateAll();
            if (!host.MachineToPhys.TryBuildGuestMapping(frames, out ulong m2pEntry))
            {
                log.Error().Text("cannot map the machine-to-physical table for guests: out of frames").End();
                return null;
            }
            host.FrameTable.SetHypervisorSlots(HypervisorPageTables.RootPhysical, m2pEntry);
            host.PageWalk = new LoadedTablesPageWalk(memory, host.FrameTable);
            host.ObjectArenas = new RuntimeObjectArenas(frames);
            host.CpuCount = PerCpu.CpuCount;
            host.Scheduler = new Hypervisor.Core.Scheduling.CreditScheduler(host.CpuCount);
            host.Clock = new SystemClock(LocalApic.TscFrequencyHz, Cpu.ReadTsc(), RealTimeClock.ReadUnixSeconds());
            log.Info().Text("Frame table: ").Dec(frameCount).Text(" frames; M2P at ").Hex(m2pBase).Text(" (").Size(m2pFrames * FrameSize)
               .Text("), read-only for guests at ").Hex(MachineToPhys.GuestVirtualBase).End();
            return host;
        }

        public static Vcpu Build(Host host, BootInfo info, HypervisorOptions options)
        {
            LogWriter log = host.Log;
            BootModule kernel = info.Modules[0];
            CommandLine.SplitModuleString(kernel.CommandLine, out byte[] name, out byte[] arguments);
            ulong initrdStart = 0, initrdLength = 0;
            if (info.Modules.Length > 1)
            {
                initrdStart = info.Modules[1].Start;
                initrdLength = info.Modules[1].Length;
            }
            ulong free = host.Frames.FreeFrames * FrameSize;
            ulong reserve = free / 16 > MinimumReserve ? free / 16 : MinimumReserve;
            ulong bytes = options.HasDom0Memory ? options.Dom0MemoryBytes : (free > reserve ? free - reserve : 0);
            ulong pages = bytes / FrameSize;
            log.Info().Text("dom0: kernel \"").Text(name).Text("\" (").Size(kernel.Length).Text("), ").Size(pages * FrameSize)
               .Text(options.HasDom0Memory ? " (dom0_mem)" : " (all but a reserve; set dom0_mem= to choose)").End();

            int vcpus = options.Dom0VcpuCount(host.CpuCount, DomainCreation.MaxVcpus);
            PvDomainBuilder build = PvDomainBuilder.Build(host, 0, true, kernel.Start, kernel.Length, initrdStart, initrdLength, arguments, pages, vcpus);
            if (!build.Succeeded)
            {
                Report(log, name, build);
                return null;
            }
            KernelImage image = build.Kernel;
            PvLayout layout = build.Layout;
            log.Info().Text("dom0: \"").Text(image.GuestOs).Text("\" ").Text(image.GuestVersion).Text(", entry ").Hex(image.Entry)
               .Text(", virtual base ").Hex(image.VirtBase).Text(", hypercall page ").Hex(image.HypercallPage)
               .Text(", ").Dec((ulong)vcpus).Text(vcpus == 1 ? " vCPU" : " vCPUs").End();
            log.Info().Text("dom0: kernel ").Hex(layout.KernelStart).Char('-').Hex(layout.KernelEnd).Text(", P2M ").Hex(layout.P2mStart)
               .Text(", start_info ").Hex(layout.StartInfoStart).Text(", page tables ").Hex(layout.PageTablesStart).Text(" (")
               .Dec(layout.PageTableFrames).Text("), stack ").Hex(layout.StackStart).Text(", mapped to ").Hex(layout.MappedEnd).End();
            return build.Domain.Vcpus[0];
        }

        private static void Report(LogWriter log, byte[] name, PvDomainBuilder build)
        {
            LogLine line = log.Error().Text("dom0: cannot build a domain from \"").Text(name).Text("\": ");
            switch (build.Problem)
            {
                case BuildProblem.BadKernelImage:
                    KernelImageProblems.Describe(line, build.Kernel.Problem, build.Kernel.ProblemValue).End();
                    return;
                case BuildProblem.MemoryTooSmall:
                    line.Text("its memory is too small: the kernel and its start-of-day data need ").Size(build.ProblemValue * FrameSize).Text("; raise dom0_mem=").End();
                    return;
                case BuildProblem.OutOfMemory:
                    line.Text("there are not enough free frames for ").Dec(build.ProblemValue).Text(" pages; lower dom0_mem=").End();
                    return;
                case BuildProblem.LayoutOutOfRange:
                    line.Text("its start-of-day region would reach ").Hex(build.ProblemValue).Text(", outside the guest's address space").End();
                    return;
                case BuildProblem.DomainIdInUse:
                    line.Text("domain id ").Dec(build.ProblemValue).Text(" is in use or beyond the ").Dec((ulong)DomainList.Capacity).Text(" ids supported").End();
                    return;
                default:
                    line.Text("the bootstrap page tables were refused (errno ").Dec(build.ProblemValue).Text("): a domain-builder bug").End();
                    return;
            }
        }
    }
}
