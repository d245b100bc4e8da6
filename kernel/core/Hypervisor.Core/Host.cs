using Hypervisor.Core.Memory;
using Hypervisor.Core.Text;

namespace Hypervisor.Core
{
    /// <summary>
    /// The machine as the hypervisor's core sees it: physical memory, the frame allocator, the log and
    /// console, and the few operations only the arch layer can perform (<see cref="HostPlatform"/>).
    /// Domains and hypercall handlers reach every shared service through it; tests build one over
    /// fakes.
    /// </summary>
    public sealed class Host
    {
        public Host(PhysicalMemory memory, FrameAllocator frames, LogWriter log, HostPlatform platform)
        {
            Memory = memory;
            Frames = frames;
            Log = log;
            Platform = platform;
            // From here on every frame the allocator hands out is zeroed (FrameAllocator.Scrubbing.cs):
            // domains' memory, shared_info, grant and M2P frames, domains' object arenas.
            if (frames != null && memory != null)
                frames.ScrubWith(memory);
        }

        public PhysicalMemory Memory { get; }
        public FrameAllocator Frames { get; }
        public LogWriter Log { get; }
        public HostPlatform Platform { get; }

        private FrameTable frameTable;

        /// <summary>Owner, type and references of every machine frame (set up once memory is known).
        /// A table given here without a descriptor check gets the PV guest rules
        /// (<see cref="Domains.SegmentDescriptorPageCheck"/>), so set_gdt's frames can become GDT pages.</summary>
        public FrameTable FrameTable
        {
            get { return frameTable; }
            set
            {
                frameTable = value;
                if (value != null && value.DescriptorCheck == null)
                    value.DescriptorCheck = new Domains.SegmentDescriptorPageCheck(Memory);
                if (value != null && value.Platform == null)
                    value.Platform = Platform;
            }
        }

        /// <summary>The machine's memory map as the boot loader gave it (sanitised), for
        /// XENMEM_machine_memory_map; the arch layer sets it when it builds the host (null: not known).</summary>
        public MemoryMap BootMemoryMap;
        /// <summary>Software walks of guest page tables, for copying hypercall arguments.</summary>
        public GuestPageWalk PageWalk;
        /// <summary>The machine-to-physical table every PV guest sees read-only.</summary>
        public MachineToPhys MachineToPhys;

        /// <summary>Physical CPUs online.</summary>
        public int CpuCount = 1;

        /// <summary>Width of machine addresses (CPUID 0x80000008), reported as getdomaininfo's gpaddr_bits.</summary>
        public int PhysicalAddressBits = 36;

        /// <summary>System time and wall clock as guests see them.</summary>
        public Time.SystemClock Clock;
        /// <summary>The hypervisor's command line (xen_version XENVER_commandline for dom0).</summary>
        public byte[] CommandLine = new byte[0];

        /// <summary>Where each domain's objects are made, to go back with it (null: the heap; tests).</summary>
        public ObjectArenas ObjectArenas;

        /// <summary>Every domain, by id.</summary>
        public readonly Domains.DomainList Domains = new Domains.DomainList();
        /// <summary>Decides which vCPU each CPU runs (null in tests that run no scheduler). A CPU that
        /// must ask it again is told through <see cref="HostPlatform.RequestReschedule"/>.</summary>
        public Scheduling.CreditScheduler Scheduler;

        /// <summary>Set when a timer, block or poll changed: the arch layer then reprograms its timer
        /// for <see cref="Time.VcpuTimers.NextDeadline"/> before it resumes a guest. The deadlines are the
        /// whole machine's: whichever CPU clears the flag has armed its timer for the earliest.</summary>
        public bool TimersChanged;

        /// <summary>Options from the hypervisor command line that change how domains are treated.</summary>
        public bool RebootOnDom0Exit;
    }
}
