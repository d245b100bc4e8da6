using System.Runtime.InteropServices;

namespace Hypervisor.Abi
{
    /// <summary>Mirrors xen.h <c>struct start_info</c> (x86-64, 1168 bytes): what the domain builder
    /// hands a PV kernel in RSI at its first instruction. Addresses marked virtual are in the guest's
    /// initial mapping; frame numbers are machine frames.</summary>
    [StructLayout(LayoutKind.Explicit, Size = Size)]
    public unsafe struct StartInfo
    {
        public const int Size = 1168;

        /// <summary>Bytes in <see cref="Magic"/> (<c>magic[32]</c>).</summary>
        public const int MagicLength = 32;

        /// <summary>Magic a 64-bit PV guest finds, NUL-terminated. Xen writes "xen-3.0-x86_64" whatever its
        /// own version: the "3.0" names the interface generation, not the release.</summary>
        public const string Magic64 = "xen-3.0-x86_64";

        /// <summary>Bytes in <see cref="CmdLine"/> (<c>MAX_GUEST_CMDLINE</c>), NUL included.</summary>
        public const int CmdLineLength = 1024;

        /// <summary><c>magic</c>: "xen-&lt;version&gt;-&lt;platform&gt;", NUL-terminated.</summary>
        [FieldOffset(0)] public fixed byte Magic[MagicLength];

        /// <summary><c>nr_pages</c>: pages the domain owns at start.</summary>
        [FieldOffset(32)] public ulong NrPages;

        /// <summary><c>shared_info</c>: machine address of the shared-info page.</summary>
        [FieldOffset(40)] public ulong SharedInfo;

        /// <summary><c>flags</c>: <see cref="StartInfoFlags"/>.</summary>
        [FieldOffset(48)] public uint Flags;

        /// <summary><c>store_mfn</c>: machine frame of the XenStore ring.</summary>
        [FieldOffset(56)] public ulong StoreMfn;

        /// <summary><c>store_evtchn</c>: event channel of the XenStore ring.</summary>
        [FieldOffset(64)] public uint StoreEvtchn;

        /// <summary><c>console.domU.mfn</c>: machine frame of the console ring (unprivileged domains).</summary>
        [FieldOffset(72)] public ulong ConsoleMfn;

        /// <summary><c>console.domU.evtchn</c>: event channel of the console ring.</summary>
        [FieldOffset(80)] public uint ConsoleEvtchn;

        /// <summary><c>console.dom0.info_off</c>: offset in this page of a <see cref="Dom0VgaConsoleInfo"/>
        /// (the initial domain only; shares storage with the domU console fields).</summary>
        [FieldOffset(72)] public uint Dom0ConsoleInfoOffset;

        /// <summary><c>console.dom0.info_size</c>: bytes of that console info.</summary>
        [FieldOffset(76)] public uint Dom0ConsoleInfoSize;

        /// <summary><c>pt_base</c>: virtual address of the bootstrap top-level page table.</summary>
        [FieldOffset(88)] public ulong PtBase;

        /// <summary><c>nr_pt_frames</c>: frames the bootstrap page tables occupy.</summary>
        [FieldOffset(96)] public ulong NrPtFrames;

        /// <summary><c>mfn_list</c>: virtual address of the P2M list (one machine frame per guest page).</summary>
        [FieldOffset(104)] public ulong MfnList;

        /// <summary><c>mod_start</c>: virtual address of the initrd, or its first pfn when
        /// <see cref="StartInfoFlags.ModStartPfn"/> is set.</summary>
        [FieldOffset(112)] public ulong ModStart;

        /// <summary><c>mod_len</c>: bytes of the initrd (0: none).</summary>
        [FieldOffset(120)] public ulong ModLen;

        /// <summary><c>cmd_line</c>: the kernel's command line, NUL-terminated.</summary>
        [FieldOffset(128)] public fixed byte CmdLine[CmdLineLength];

        /// <summary><c>first_p2m_pfn</c>: first pfn of the initial P2M's page-table and list frames
        /// (only when XEN_ELFNOTE_INIT_P2M moved the list).</summary>
        [FieldOffset(1152)] public ulong FirstP2mPfn;

        /// <summary><c>nr_p2m_frames</c>: how many such frames.</summary>
        [FieldOffset(1160)] public ulong NrP2mFrames;
    }

    /// <summary>Bits of <see cref="StartInfo.Flags"/> (xen.h SIF_*).</summary>
    public static class StartInfoFlags
    {
        /// <summary><c>SIF_PRIVILEGED</c>: the domain may use privileged hypercalls.</summary>
        public const uint Privileged = 1u << 0;

        /// <summary><c>SIF_INITDOMAIN</c>: this is the initial (control) domain.</summary>
        public const uint InitDomain = 1u << 1;

        /// <summary><c>SIF_MULTIBOOT_MOD</c>: the module is a package of <see cref="MultibootModule"/>s.</summary>
        public const uint MultibootModule = 1u << 2;

        /// <summary><c>SIF_MOD_START_PFN</c>: <see cref="StartInfo.ModStart"/> is a pfn, not a virtual address.</summary>
        public const uint ModStartPfn = 1u << 3;

        /// <summary><c>SIF_VIRT_P2M_4TOOLS</c>: tools read the guest's linear P2M list instead of the
        /// three-level frame list.</summary>
        public const uint VirtualP2mForTools = 1u << 4;

        /// <summary><c>SIF_PM_MASK</c>: a byte kept for power-management options.</summary>
        public const uint PowerManagementMask = 0xFFu << 8;
    }

    /// <summary>Mirrors xen.h <c>struct xen_multiboot_mod_list</c> (16 bytes): one descriptor at the
    /// start of a multiboot-style module package; addresses are relative to the package and a
    /// descriptor with ModStart 0 ends the list.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    public struct MultibootModule
    {
        /// <summary><c>mod_start</c>: first byte.</summary>
        [FieldOffset(0)] public uint ModStart;

        /// <summary><c>mod_end</c>: last byte, inclusive.</summary>
        [FieldOffset(4)] public uint ModEnd;

        /// <summary><c>cmdline</c>: address of the module's NUL-terminated string.</summary>
        [FieldOffset(8)] public uint CmdLine;

        /// <summary><c>pad</c>: zero.</summary>
        [FieldOffset(12)] public uint Pad;
    }
}
