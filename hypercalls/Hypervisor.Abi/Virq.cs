namespace Hypervisor.Abi
{
    /// <summary>Virtual interrupts a guest binds with EVTCHNOP_bind_virq (xen.h VIRQ_*). Per-vCPU ones can
    /// be bound once on each vCPU; global ones once per domain, first on vCPU 0.</summary>
    public static class Virq
    {
        /// <summary><c>VIRQ_TIMER</c> (per vCPU): the single-shot or periodic timer fired.</summary>
        public const uint Timer = 0;

        /// <summary><c>VIRQ_DEBUG</c> (per vCPU): asks the guest to dump debug state.</summary>
        public const uint Debug = 1;

        /// <summary><c>VIRQ_CONSOLE</c> (global, dom0): input arrived on Xen's console.</summary>
        public const uint Console = 2;

        /// <summary><c>VIRQ_DOM_EXC</c> (global, dom0): some domain changed state (shut down, crashed...).</summary>
        public const uint DomExc = 3;

        /// <summary><c>VIRQ_TBUF</c> (global, dom0): trace records available.</summary>
        public const uint Tbuf = 4;

        // 5 is unused.

        /// <summary><c>VIRQ_DEBUGGER</c> (global, dom0): a domain paused for the debugger.</summary>
        public const uint Debugger = 6;

        /// <summary><c>VIRQ_XENOPROF</c> (per vCPU): profiling samples available.</summary>
        public const uint Xenoprof = 7;

        /// <summary><c>VIRQ_CON_RING</c> (global, dom0): Xen's console ring has new bytes.</summary>
        public const uint ConRing = 8;

        /// <summary><c>VIRQ_PCPU_STATE</c> (global, dom0): a physical CPU changed state.</summary>
        public const uint PcpuState = 9;

        /// <summary><c>VIRQ_MEM_EVENT</c> (global, dom0): a memory event happened.</summary>
        public const uint MemEvent = 10;

        /// <summary><c>VIRQ_ARGO</c> (global): an Argo message arrived (was XC_RESERVED in older headers).</summary>
        public const uint Argo = 11;

        /// <summary><c>VIRQ_ENOMEM</c> (global, dom0): Xen is low on heap memory.</summary>
        public const uint Enomem = 12;

        /// <summary><c>VIRQ_XENPMU</c> (per vCPU): a performance-counter interrupt.</summary>
        public const uint Xenpmu = 13;

        /// <summary><c>VIRQ_ARCH_0</c>: first architecture-specific VIRQ (x86 uses it for machine checks).</summary>
        public const uint Arch0 = 16;

        /// <summary><c>VIRQ_ARCH_7</c>: last architecture-specific VIRQ.</summary>
        public const uint Arch7 = 23;

        /// <summary><c>NR_VIRQS</c>.</summary>
        public const uint Count = 24;
    }
}
