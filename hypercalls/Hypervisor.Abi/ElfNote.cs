namespace Hypervisor.Abi
{
    /// <summary>Xen ELF note types (elfnote.h XEN_ELFNOTE_*). The notes sit in a PT_NOTE segment with
    /// owner name <see cref="OwnerName"/>; numeric descriptors are 4 or 8 bytes, strings NUL-terminated.</summary>
    public static class ElfNoteType
    {
        /// <summary>Owner name of every Xen note ("Xen", NUL-terminated in the note).</summary>
        public const string OwnerName = "Xen";

        /// <summary><c>XEN_ELFNOTE_INFO</c>: a NAME=VALUE string.</summary>
        public const uint Info = 0;

        /// <summary><c>XEN_ELFNOTE_ENTRY</c>: virtual entry address (numeric).</summary>
        public const uint Entry = 1;

        /// <summary><c>XEN_ELFNOTE_HYPERCALL_PAGE</c>: virtual address where the hypercall page goes.</summary>
        public const uint HypercallPage = 2;

        /// <summary><c>XEN_ELFNOTE_VIRT_BASE</c>: virtual address the image is mapped at (default 0).</summary>
        public const uint VirtBase = 3;

        /// <summary><c>XEN_ELFNOTE_PADDR_OFFSET</c>: subtracted from ELF paddr fields to get pseudo-physical
        /// addresses (default 0).</summary>
        public const uint PaddrOffset = 4;

        /// <summary><c>XEN_ELFNOTE_XEN_VERSION</c>: the Xen version the kernel expects (string, e.g. "xen-3.0").</summary>
        public const uint XenVersion = 5;

        /// <summary><c>XEN_ELFNOTE_GUEST_OS</c>: the kernel's name (string).</summary>
        public const uint GuestOs = 6;

        /// <summary><c>XEN_ELFNOTE_GUEST_VERSION</c>: the kernel's version (string).</summary>
        public const uint GuestVersion = 7;

        /// <summary><c>XEN_ELFNOTE_LOADER</c>: the loader wanted (string; <see cref="ElfNoteStrings.LoaderGeneric"/>).</summary>
        public const uint Loader = 8;

        /// <summary><c>XEN_ELFNOTE_PAE_MODE</c>: 32-bit PAE support (string; unused on x86-64).</summary>
        public const uint PaeMode = 9;

        /// <summary><c>XEN_ELFNOTE_FEATURES</c>: features as a string, see <see cref="ElfNoteStrings"/>.</summary>
        public const uint Features = 10;

        /// <summary><c>XEN_ELFNOTE_BSD_SYMTAB</c>: load the symbol table too ("yes" or "no").</summary>
        public const uint BsdSymtab = 11;

        /// <summary><c>XEN_ELFNOTE_HV_START_LOW</c>: lowest start of the hypervisor hole the kernel copes
        /// with (numeric; 32-bit guests).</summary>
        public const uint HvStartLow = 12;

        /// <summary><c>XEN_ELFNOTE_L1_MFN_VALID</c>: mask/value pairs that recognise non-present L1 entries
        /// still holding a valid MFN.</summary>
        public const uint L1MfnValid = 13;

        /// <summary><c>XEN_ELFNOTE_SUSPEND_CANCEL</c>: the kernel handles cancelled suspends (numeric, default 0).</summary>
        public const uint SuspendCancel = 14;

        /// <summary><c>XEN_ELFNOTE_INIT_P2M</c>: virtual address at which to build the initial P2M list
        /// instead of after the initrd (x86-64; may use large pages).</summary>
        public const uint InitP2m = 15;

        /// <summary><c>XEN_ELFNOTE_MOD_START_PFN</c>: the kernel accepts an initrd that is not mapped,
        /// given by pfn (<see cref="StartInfoFlags.ModStartPfn"/>).</summary>
        public const uint ModStartPfn = 16;

        /// <summary><c>XEN_ELFNOTE_SUPPORTED_FEATURES</c>: features as a 32-bit bitmap of
        /// <see cref="XenFeature"/> bits, ORed with the string form's.</summary>
        public const uint SupportedFeatures = 17;

        /// <summary><c>XEN_ELFNOTE_PHYS32_ENTRY</c>: 32-bit physical entry for PVH boot; PV ignores it.</summary>
        public const uint Phys32Entry = 18;

        /// <summary><c>XEN_ELFNOTE_MAX</c>: highest guest-kernel note type in Xen 4.17.</summary>
        public const uint Max = Phys32Entry;

        /// <summary><c>XEN_ELFNOTE_CRASH_INFO</c>: system information in a kexec crash dump.</summary>
        public const uint CrashInfo = 0x1000001;

        /// <summary><c>XEN_ELFNOTE_CRASH_REGS</c>: per-CPU registers in a kexec crash dump.</summary>
        public const uint CrashRegs = 0x1000002;

        /// <summary><c>XEN_ELFNOTE_DUMPCORE_NONE</c>: marks a dump-core file.</summary>
        public const uint DumpcoreNone = 0x2000000;

        /// <summary><c>XEN_ELFNOTE_DUMPCORE_HEADER</c>: dump-core header.</summary>
        public const uint DumpcoreHeader = 0x2000001;

        /// <summary><c>XEN_ELFNOTE_DUMPCORE_XEN_VERSION</c>: Xen version in a dump-core file.</summary>
        public const uint DumpcoreXenVersion = 0x2000002;

        /// <summary><c>XEN_ELFNOTE_DUMPCORE_FORMAT_VERSION</c>: dump-core format version.</summary>
        public const uint DumpcoreFormatVersion = 0x2000003;
    }

    /// <summary>String values understood in Xen's string ELF notes. The
    /// <see cref="ElfNoteType.Features"/> string lists <see cref="XenFeature"/> names without the
    /// XENFEAT_ prefix, separated by <see cref="FeatureSeparator"/>; a name prefixed with
    /// <see cref="FeatureRequiredPrefix"/> is required, others are merely supported.
    /// Example: "!writable_page_tables|pae_pgdir_above_4gb".</summary>
    public static class ElfNoteStrings
    {
        public const char FeatureSeparator = '|';
        public const char FeatureRequiredPrefix = '!';

        /// <summary>The only loader Xen knows (<see cref="ElfNoteType.Loader"/>).</summary>
        public const string LoaderGeneric = "generic";

        /// <summary>The usual <see cref="ElfNoteType.XenVersion"/> value.</summary>
        public const string XenVersion3 = "xen-3.0";

        /// <summary>Yes and no for <see cref="ElfNoteType.BsdSymtab"/> and <see cref="ElfNoteType.PaeMode"/>.</summary>
        public const string Yes = "yes";
        public const string No = "no";

        /// <summary><see cref="ElfNoteType.PaeMode"/> for a kernel that runs with or without PAE.</summary>
        public const string PaeBimodal = "bimodal";

        // The feature names Xen's note parser (libelf) knows; it reports any other name as unknown.
        // Newer features can only be announced through ElfNoteType.SupportedFeatures.
        public const string WritablePageTables = "writable_page_tables";
        public const string WritableDescriptorTables = "writable_descriptor_tables";
        public const string AutoTranslatedPhysmap = "auto_translated_physmap";
        public const string SupervisorModeKernel = "supervisor_mode_kernel";
        public const string PaePgdirAbove4gb = "pae_pgdir_above_4gb";
        public const string HvmCallbackVector = "hvm_callback_vector";
        public const string Dom0 = "dom0";
    }
}
