namespace Hypervisor.Core.Domains
{
    /// <summary>
    /// A virtual CPU of a PV domain: its registers while it is not running, its two page-table bases
    /// (the guest kernel's and the guest user's, since both run in ring 3), the kernel stack for mode
    /// switches, its trap table and callbacks, segment bases and the virtual CR0.TS.
    /// </summary>
    public sealed partial class Vcpu
    {
        public Vcpu(Domain domain, int id)
        {
            Domain = domain;
            Id = id;
            // What every exit touches is allocated first, near the vCPU itself (objects are laid out in
            // allocation order): the 4 KiB trap table after it would push them onto another page.
            registerFile = new GuestRegisters[1];
            Callbacks = new ulong[CallbackKind.Count];
            CallbackMasksEvents = new bool[CallbackKind.Count];
            TrapTable = new TrapTableEntry[256];
        }

        public Domain Domain { get; }
        public int Id { get; }

        /// <summary>The guest's registers. They live in an array of one so that the arch layer can
        /// let the CPU save them there on every exit (objects never move in the hypervisor's runtime,
        /// and its array elements are 16-byte aligned, as an interrupt stack must be): no copies.</summary>
        public ref GuestRegisters Registers => ref registerFile[0];

        private readonly GuestRegisters[] registerFile;

        /// <summary>The guest is in its kernel (true) or in its user mode (false).</summary>
        public bool InKernelMode = true;
        /// <summary>Machine frame numbers of the top-level tables for guest kernel and guest user mode
        /// (0: none set for user mode yet).</summary>
        public ulong KernelTableFrame;
        public ulong UserTableFrame;
        /// <summary>The guest kernel stack that traps and syscalls from user mode switch to
        /// (stack_switch).</summary>
        public ulong KernelStackSegment;
        public ulong KernelStackPointer;

        public readonly TrapTableEntry[] TrapTable;
        /// <summary>Callback entry points by <see cref="CallbackKind"/> (0: not registered).</summary>
        public readonly ulong[] Callbacks;
        public readonly bool[] CallbackMasksEvents;

        /// <summary>Machine address of this vCPU's vcpu_info (in shared_info until the guest moves it).</summary>
        public ulong VcpuInfoAddress;

        /// <summary>Segment bases (set_segment_base, the base MSRs). Setting one marks them for the
        /// arch layer to load on the next resume; otherwise it only touches them on a mode switch.</summary>
        public ulong FsBase { get => fsBase; set { fsBase = value; SegmentBasesChanged = true; } }
        public ulong GsBaseKernel { get => gsBaseKernel; set { gsBaseKernel = value; SegmentBasesChanged = true; } }
        public ulong GsBaseUser { get => gsBaseUser; set { gsBaseUser = value; SegmentBasesChanged = true; } }
        public bool SegmentBasesChanged;
        private ulong fsBase, gsBaseKernel, gsBaseUser;

        /// <summary>The guest's view of CR0.TS (fpu_taskswitch): the next FPU use traps to the guest.</summary>
        public bool TaskSwitched;
        /// <summary>The virtual I/O privilege level (physdev_op set_iopl): port I/O from guest
        /// code at or below this ring is emulated.</summary>
        public uint IoPrivilegeLevel;

        /// <summary>Guest-virtual address of the guest's GDT frames and their count (set_gdt).</summary>
        public ulong GdtEntries;
        public ulong[] GdtFrames = new ulong[16];
        public int GdtFrameCount;
    }
}
