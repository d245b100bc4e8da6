using System.Runtime.InteropServices;

namespace Hypervisor.Abi
{
    /// <summary>Mirrors xen.h <c>struct mmuext_op</c> (24 bytes on x86-64): one request of
    /// mmuext_op(ops, count, done_out, foreigndom). Both arguments are unions whose meaning depends on
    /// <see cref="Cmd"/>; the fields below overlap accordingly.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 24)]
    public struct MmuextOp
    {
        /// <summary><c>cmd</c>: a <see cref="MmuextCommand"/>.</summary>
        [FieldOffset(0)] public uint Cmd;

        /// <summary><c>arg1.mfn</c>: the frame for pin, unpin, base pointers, clear/copy page, superpage marks.</summary>
        [FieldOffset(8)] public ulong Mfn;

        /// <summary><c>arg1.linear_addr</c>: the address for INVLPG_* and SET_LDT.</summary>
        [FieldOffset(8)] public ulong LinearAddr;

        /// <summary><c>arg2.nr_ents</c>: LDT entries for SET_LDT.</summary>
        [FieldOffset(16)] public uint NrEnts;

        /// <summary><c>arg2.vcpumask</c>: guest handle to a vCPU bitmap for *_MULTI.</summary>
        [FieldOffset(16)] public ulong VcpuMask;

        /// <summary><c>arg2.src_mfn</c>: the source frame for COPY_PAGE.</summary>
        [FieldOffset(16)] public ulong SrcMfn;
    }

    /// <summary>Values of <see cref="MmuextOp.Cmd"/> (xen.h MMUEXT_*). Frame arguments are machine frames
    /// for PV guests.</summary>
    public static class MmuextCommand
    {
        /// <summary><c>MMUEXT_PIN_L1_TABLE</c>: validate a frame as an L1 table and keep it typed so.</summary>
        public const uint PinL1Table = 0;

        /// <summary><c>MMUEXT_PIN_L2_TABLE</c>.</summary>
        public const uint PinL2Table = 1;

        /// <summary><c>MMUEXT_PIN_L3_TABLE</c>.</summary>
        public const uint PinL3Table = 2;

        /// <summary><c>MMUEXT_PIN_L4_TABLE</c>: what a 64-bit guest pins before using a new top level.</summary>
        public const uint PinL4Table = 3;

        /// <summary><c>MMUEXT_UNPIN_TABLE</c>: drop the pin of any level.</summary>
        public const uint UnpinTable = 4;

        /// <summary><c>MMUEXT_NEW_BASEPTR</c>: switch the kernel-mode page-table base.</summary>
        public const uint NewBaseptr = 5;

        /// <summary><c>MMUEXT_TLB_FLUSH_LOCAL</c>: flush this vCPU's TLB.</summary>
        public const uint TlbFlushLocal = 6;

        /// <summary><c>MMUEXT_INVLPG_LOCAL</c>: flush one address on this vCPU.</summary>
        public const uint InvlpgLocal = 7;

        /// <summary><c>MMUEXT_TLB_FLUSH_MULTI</c>: flush the TLBs of the vCPUs in a bitmap.</summary>
        public const uint TlbFlushMulti = 8;

        /// <summary><c>MMUEXT_INVLPG_MULTI</c>: flush one address on the vCPUs in a bitmap.</summary>
        public const uint InvlpgMulti = 9;

        /// <summary><c>MMUEXT_TLB_FLUSH_ALL</c>: flush every vCPU's TLB.</summary>
        public const uint TlbFlushAll = 10;

        /// <summary><c>MMUEXT_INVLPG_ALL</c>: flush one address on every vCPU.</summary>
        public const uint InvlpgAll = 11;

        /// <summary><c>MMUEXT_FLUSH_CACHE</c>: write back and invalidate this CPU's caches.</summary>
        public const uint FlushCache = 12;

        /// <summary><c>MMUEXT_SET_LDT</c>: install an LDT (page-aligned linear address, entries).</summary>
        public const uint SetLdt = 13;

        // 14 is unused.

        /// <summary><c>MMUEXT_NEW_USER_BASEPTR</c>: set the user-mode page-table base (x86-64 only).</summary>
        public const uint NewUserBaseptr = 15;

        /// <summary><c>MMUEXT_CLEAR_PAGE</c>: zero a frame.</summary>
        public const uint ClearPage = 16;

        /// <summary><c>MMUEXT_COPY_PAGE</c>: copy a frame.</summary>
        public const uint CopyPage = 17;

        /// <summary><c>MMUEXT_FLUSH_CACHE_GLOBAL</c>: write back and invalidate caches on all CPUs.</summary>
        public const uint FlushCacheGlobal = 18;

        /// <summary><c>MMUEXT_MARK_SUPER</c>: mark a frame as the head of a superpage.</summary>
        public const uint MarkSuper = 19;

        /// <summary><c>MMUEXT_UNMARK_SUPER</c>.</summary>
        public const uint UnmarkSuper = 20;
    }
}
