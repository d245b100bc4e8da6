using System.Runtime.InteropServices;

namespace Hypervisor.Abi
{
    /// <summary>Mirrors arch-x86/xen.h <c>struct vcpu_guest_context</c> for x86-64 (5168 bytes): the
    /// whole state of a PV vCPU, given to VCPUOP_initialise and the domain-control get/set calls.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 5168)]
    public unsafe struct VcpuGuestContext
    {
        /// <summary><c>fpu_ctxt</c>: an FXSAVE image, first so that it is 16-byte aligned.</summary>
        [FieldOffset(0)] public fixed byte FpuCtxt[512];

        /// <summary><c>flags</c>: <see cref="VcpuGuestContextFlags"/>.</summary>
        [FieldOffset(512)] public ulong Flags;

        /// <summary><c>user_regs</c>.</summary>
        [FieldOffset(520)] public CpuUserRegs UserRegs;

        /// <summary><c>trap_ctxt[256]</c>: the virtual IDT, <see cref="TrapInfo"/> entries of 16 bytes,
        /// as bytes since C# cannot declare a fixed array of structs.</summary>
        [FieldOffset(720)] public fixed byte TrapCtxt[TrapInfo.VectorCount * 16];

        /// <summary><c>ldt_base</c>: linear address of the LDT.</summary>
        [FieldOffset(4816)] public ulong LdtBase;

        /// <summary><c>ldt_ents</c>: LDT entries.</summary>
        [FieldOffset(4824)] public ulong LdtEnts;

        /// <summary><c>gdt_frames[16]</c>: machine frames of the GDT.</summary>
        [FieldOffset(4832)] public fixed ulong GdtFrames[DescriptorTables.MaxGdtFrames];

        /// <summary><c>gdt_ents</c>: GDT entries.</summary>
        [FieldOffset(4960)] public ulong GdtEnts;

        /// <summary><c>kernel_ss</c>: the kernel stack selector (what stack_switch sets).</summary>
        [FieldOffset(4968)] public ulong KernelSs;

        /// <summary><c>kernel_sp</c>: the kernel stack pointer for entries from user mode.</summary>
        [FieldOffset(4976)] public ulong KernelSp;

        /// <summary><c>ctrlreg[8]</c>: CR0-CR7; CR3 holds the kernel page-table base and CR1 the user one
        /// (both as <see cref="AddressSpaceLayout.PfnToCr3"/> values).</summary>
        [FieldOffset(4984)] public fixed ulong CtrlReg[8];

        /// <summary><c>debugreg[8]</c>: DR0-DR7.</summary>
        [FieldOffset(5048)] public fixed ulong DebugReg[8];

        /// <summary><c>event_callback_eip</c>.</summary>
        [FieldOffset(5112)] public ulong EventCallbackEip;

        /// <summary><c>failsafe_callback_eip</c>.</summary>
        [FieldOffset(5120)] public ulong FailsafeCallbackEip;

        /// <summary><c>syscall_callback_eip</c>.</summary>
        [FieldOffset(5128)] public ulong SyscallCallbackEip;

        /// <summary><c>vm_assist</c>: bitmap of enabled <see cref="VmAssistType"/>s.</summary>
        [FieldOffset(5136)] public ulong VmAssist;

        /// <summary><c>fs_base</c>.</summary>
        [FieldOffset(5144)] public ulong FsBase;

        /// <summary><c>gs_base_kernel</c>.</summary>
        [FieldOffset(5152)] public ulong GsBaseKernel;

        /// <summary><c>gs_base_user</c>.</summary>
        [FieldOffset(5160)] public ulong GsBaseUser;
    }

    /// <summary>Bits of <see cref="VcpuGuestContext.Flags"/> (arch-x86/xen.h VGCF_*).</summary>
    public static class VcpuGuestContextFlags
    {
        /// <summary><c>VGCF_i387_valid</c>: <see cref="VcpuGuestContext.FpuCtxt"/> holds a state.</summary>
        public const ulong I387Valid = 1ul << 0;

        /// <summary><c>VGCF_in_kernel</c>: the vCPU is in guest kernel mode.</summary>
        public const ulong InKernel = 1ul << 2;

        /// <summary><c>VGCF_failsafe_disables_events</c>: mask events on entry to the failsafe callback.</summary>
        public const ulong FailsafeDisablesEvents = 1ul << 3;

        /// <summary><c>VGCF_syscall_disables_events</c>: mask events on entry to the syscall callback.</summary>
        public const ulong SyscallDisablesEvents = 1ul << 4;

        /// <summary><c>VGCF_online</c>: the vCPU is up.</summary>
        public const ulong Online = 1ul << 5;
    }
}
