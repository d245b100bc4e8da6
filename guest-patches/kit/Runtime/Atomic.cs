using System.Runtime;
using System.Runtime.CompilerServices;

namespace Hypervisor.Guest
{
    /// <summary>Locked operations for memory the hypervisor changes under the guest (asm/atomic.asm).</summary>
    public static unsafe class Atomic
    {
        [RuntimeImport("kit_xchg64"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern ulong Xchg(ulong* location, ulong value);

        [RuntimeImport("kit_bit_test_and_clear"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern ulong Btr(ulong* location, ulong bit);

        [RuntimeImport("kit_bit_test_and_set"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern ulong Bts(ulong* location, ulong bit);

        /// <summary>Stores <paramref name="value"/> and returns the previous value, atomically.</summary>
        public static ulong Exchange(ulong* location, ulong value) => Xchg(location, value);

        /// <summary>Clears bit <paramref name="bit"/> (0-63) atomically; true when it was set.</summary>
        public static bool TestAndClear(ulong* location, int bit) => Btr(location, (ulong)bit) != 0;

        /// <summary>Sets bit <paramref name="bit"/> (0-63) atomically; true when it was set already.</summary>
        public static bool TestAndSet(ulong* location, int bit) => Bts(location, (ulong)bit) != 0;
    }
}
