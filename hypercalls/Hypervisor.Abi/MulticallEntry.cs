using System.Runtime.InteropServices;

namespace Hypervisor.Abi
{
    /// <summary>Mirrors xen.h <c>struct multicall_entry</c> (64 bytes on x86-64): one call of
    /// multicall(entries, count). Xen runs the calls in order and stores each return value in
    /// <see cref="Result"/>.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 64)]
    public unsafe struct MulticallEntry
    {
        /// <summary>Arguments per call.</summary>
        public const int ArgCount = 6;

        /// <summary><c>op</c>: the <see cref="HypercallNumber"/>.</summary>
        [FieldOffset(0)] public ulong Op;

        /// <summary><c>result</c>: the call's return value (negative errno on failure).</summary>
        [FieldOffset(8)] public ulong Result;

        /// <summary><c>args[6]</c>: the call's arguments, as they would be passed in registers.</summary>
        [FieldOffset(16)] public fixed ulong Args[ArgCount];
    }
}
