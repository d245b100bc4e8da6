using System.Runtime;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Hypervisor.Guest
{
    /// <summary>
    /// The registers at the kernel's first instruction, saved by asm/start.asm before it touches any.
    /// Xen's domain builder promises RSI = start_info, RSP = the end of the bootstrap stack, the flat
    /// kernel selectors, events enabled in RFLAGS (the upcall mask says whether they are delivered) and
    /// every other general register zero.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 184)]
    public struct EntryRegisters
    {
        [FieldOffset(0)] public ulong Rax;
        [FieldOffset(8)] public ulong Rbx;
        [FieldOffset(16)] public ulong Rcx;
        [FieldOffset(24)] public ulong Rdx;
        [FieldOffset(32)] public ulong Rsi;
        [FieldOffset(40)] public ulong Rdi;
        [FieldOffset(48)] public ulong Rbp;
        [FieldOffset(56)] public ulong Rsp;
        [FieldOffset(64)] public ulong R8;
        [FieldOffset(72)] public ulong R9;
        [FieldOffset(80)] public ulong R10;
        [FieldOffset(88)] public ulong R11;
        [FieldOffset(96)] public ulong R12;
        [FieldOffset(104)] public ulong R13;
        [FieldOffset(112)] public ulong R14;
        [FieldOffset(120)] public ulong R15;
        [FieldOffset(128)] public ulong Rflags;
        [FieldOffset(136)] public ushort Cs;
        [FieldOffset(144)] public ushort Ss;
        [FieldOffset(152)] public ushort Ds;
        [FieldOffset(160)] public ushort Es;
        [FieldOffset(168)] public ushort Fs;
        [FieldOffset(176)] public ushort Gs;

        [RuntimeImport("kit_entry_registers_address"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern unsafe EntryRegisters* Address();

        /// <summary>The saved registers (valid for the guest's whole life).</summary>
        public static unsafe EntryRegisters* Saved => Address();
    }
}
