namespace System
{
    // Fill and clear helpers the compiler calls for initblk and zeroing large locals.
    internal static unsafe class SpanHelpers
    {
        internal static void Memmove(ref byte destination, ref byte source, nuint length)
        {
            fixed (byte* d = &destination)
            fixed (byte* s = &source)
                Buffer.Memmove(d, s, length);
        }

        // Page scrubbing goes through here: whole aligned words, four to an iteration (under an emulator
        // every loop iteration costs a block of its own), bytes only at the ends.
        internal static void Fill(ref byte destination, nuint length, byte value)
        {
            fixed (byte* d = &destination)
                Fill(d, length, value * 0x0101010101010101UL);
        }

        internal static void ClearWithoutReferences(ref byte destination, nuint length)
        {
            fixed (byte* d = &destination)
                Fill(d, length, 0);
        }

        private static void Fill(byte* d, nuint length, ulong pattern)
        {
            nuint i = 0;
            if (length >= 32)
            {
                for (; ((nuint)(d + i) & 7) != 0; i++)
                    d[i] = (byte)pattern;
                for (; i + 32 <= length; i += 32)
                {
                    *(ulong*)(d + i) = pattern;
                    *(ulong*)(d + i + 8) = pattern;
                    *(ulong*)(d + i + 16) = pattern;
                    *(ulong*)(d + i + 24) = pattern;
                }
                for (; i + 8 <= length; i += 8)
                    *(ulong*)(d + i) = pattern;
            }
            for (; i < length; i++)
                d[i] = (byte)pattern;
        }

        internal static void ClearWithReferences(ref IntPtr destination, nuint pointerCount)
        {
            fixed (IntPtr* d = &destination)
                for (nuint i = 0; i < pointerCount; i++)
                    d[i] = 0;
        }
    }
}
