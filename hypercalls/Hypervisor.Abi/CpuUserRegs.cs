using System.Runtime.InteropServices;

namespace Hypervisor.Abi
{
    /// <summary>Mirrors arch-x86/xen-x86_64.h <c>struct cpu_user_regs</c> (200 bytes): a vCPU's general
    /// registers as in <see cref="VcpuGuestContext.UserRegs"/>. Xen's header gives each register a union
    /// of its narrower names (eax, ax, al...); here only the 64-bit name is kept. Selectors occupy a
    /// 64-bit slot each.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 200)]
    public unsafe struct CpuUserRegs
    {
        [FieldOffset(0)] public ulong R15;
        [FieldOffset(8)] public ulong R14;
        [FieldOffset(16)] public ulong R13;
        [FieldOffset(24)] public ulong R12;
        [FieldOffset(32)] public ulong Rbp;
        [FieldOffset(40)] public ulong Rbx;
        [FieldOffset(48)] public ulong R11;
        [FieldOffset(56)] public ulong R10;
        [FieldOffset(64)] public ulong R9;
        [FieldOffset(72)] public ulong R8;
        [FieldOffset(80)] public ulong Rax;
        [FieldOffset(88)] public ulong Rcx;
        [FieldOffset(96)] public ulong Rdx;
        [FieldOffset(104)] public ulong Rsi;
        [FieldOffset(112)] public ulong Rdi;

        /// <summary><c>error_code</c>: Xen-private.</summary>
        [FieldOffset(120)] public uint ErrorCode;

        /// <summary><c>entry_vector</c>: Xen-private.</summary>
        [FieldOffset(124)] public uint EntryVector;

        [FieldOffset(128)] public ulong Rip;

        /// <summary><c>cs</c>.</summary>
        [FieldOffset(136)] public ushort Cs;

        /// <summary><c>_pad0[1]</c>.</summary>
        [FieldOffset(138)] public ushort Pad0;

        /// <summary><c>saved_upcall_mask</c>: the vCPU's event mask, kept here so that RFLAGS.IF can
        /// mirror its inverse.</summary>
        [FieldOffset(140)] public byte SavedUpcallMask;

        /// <summary><c>_pad1[3]</c>.</summary>
        [FieldOffset(141)] public fixed byte Pad1[3];

        [FieldOffset(144)] public ulong Rflags;
        [FieldOffset(152)] public ulong Rsp;

        /// <summary><c>ss</c> then <c>_pad2[3]</c>.</summary>
        [FieldOffset(160)] public ushort Ss;

        /// <summary><c>es</c> then <c>_pad3[3]</c>.</summary>
        [FieldOffset(168)] public ushort Es;

        /// <summary><c>ds</c> then <c>_pad4[3]</c>.</summary>
        [FieldOffset(176)] public ushort Ds;

        /// <summary><c>fs</c> then <c>_pad5[3]</c>.</summary>
        [FieldOffset(184)] public ushort Fs;

        /// <summary><c>gs</c> then <c>_pad6[3]</c> up to the end.</summary>
        [FieldOffset(192)] public ushort Gs;
    }
}
