namespace System
{
    // Block copies the compiler emits for struct copies and cpblk.
    public static unsafe class Buffer
    {
        public static void Memmove(byte* destination, byte* source, nuint length)
        {
            if (destination == source || length == 0)
                return;
            if (destination < source || destination >= source + length)
            {
                // Four words to an iteration: fewer loop blocks under an emulator (grant copies, guest pages).
                nuint i = 0;
                for (; i + 32 <= length; i += 32)
                {
                    *(ulong*)(destination + i) = *(ulong*)(source + i);
                    *(ulong*)(destination + i + 8) = *(ulong*)(source + i + 8);
                    *(ulong*)(destination + i + 16) = *(ulong*)(source + i + 16);
                    *(ulong*)(destination + i + 24) = *(ulong*)(source + i + 24);
                }
                for (; i + 8 <= length; i += 8)
                    *(ulong*)(destination + i) = *(ulong*)(source + i);
                for (; i < length; i++)
                    destination[i] = source[i];
            }
            else
            {
                nuint i = length;
                while (i >= 8) { i -= 8; *(ulong*)(destination + i) = *(ulong*)(source + i); }
                while (i > 0) { i--; destination[i] = source[i]; }
            }
        }

        // Copies that may contain object references: no collector, so no barrier is needed.
        internal static void BulkMoveWithWriteBarrier(ref byte destination, ref byte source, nuint byteCount)
        {
            fixed (byte* d = &destination)
            fixed (byte* s = &source)
                Memmove(d, s, byteCount);
        }

        internal static void Memmove(ref byte destination, ref byte source, nuint byteCount)
        {
            fixed (byte* d = &destination)
            fixed (byte* s = &source)
                Memmove(d, s, byteCount);
        }

        public static void MemoryCopy(void* source, void* destination, long destinationSizeInBytes, long sourceBytesToCopy)
        {
            if (sourceBytesToCopy > destinationSizeInBytes)
                Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowArgumentOutOfRangeException();
            Memmove((byte*)destination, (byte*)source, (nuint)sourceBytesToCopy);
        }
    }
}
