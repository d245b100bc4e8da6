using System.Runtime.InteropServices;

namespace Hypervisor.Abi
{
    /// <summary>Mirrors arch-x86/xen.h <c>struct trap_info</c> (16 bytes on x86-64): one entry of the
    /// virtual IDT a guest passes to set_trap_table. The array ends with an entry whose
    /// <see cref="Address"/> is 0.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    public struct TrapInfo
    {
        /// <summary>Entries in a full virtual IDT (<c>trap_ctxt[256]</c> of vcpu_guest_context).</summary>
        public const int VectorCount = 256;

        /// <summary><c>vector</c>: the exception or interrupt vector.</summary>
        [FieldOffset(0)] public byte Vector;

        /// <summary><c>flags</c>: <see cref="TrapInfoFlags"/>.</summary>
        [FieldOffset(1)] public byte Flags;

        /// <summary><c>cs</c>: code selector of the handler.</summary>
        [FieldOffset(2)] public ushort Cs;

        /// <summary><c>address</c>: the handler's address; 0 ends the table.</summary>
        [FieldOffset(8)] public ulong Address;
    }

    /// <summary>Bits of <see cref="TrapInfo.Flags"/> (what the TI_GET/SET_DPL and TI_GET/SET_IF macros
    /// read and write).</summary>
    public static class TrapInfoFlags
    {
        /// <summary>Bits 0-1: the lowest privilege allowed to raise the vector with a software
        /// interrupt (<c>TI_GET_DPL</c>). With no rings 1 and 2 on x86-64: 0 nobody, 1 or 2 the guest
        /// kernel, 3 everyone (user mode too).</summary>
        public const byte PrivilegeLevelMask = 3;

        /// <summary>Bit 2 (<c>TI_GET_IF</c>): mask events (set the upcall mask) on entry to the handler,
        /// as an interrupt gate clears IF; clear, it behaves like a trap gate.</summary>
        public const byte DisableEvents = 1 << 2;
    }
}
