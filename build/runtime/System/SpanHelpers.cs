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

        internal static void Fill(ref byte destination, nuint length, byte value)
        {
            fixed (byte* d = &destination)
                for (nuint i = 0; i < length; i++)
                    d[i] = value;
        }

        internal static void ClearWithoutReferences(ref byte destination, nuint length)
        {
            fixed (byte* d = &destination)
            {
                nuint i = 0;
                for (; i + 8 <= length; i += 8)
                    *(ulong*)(d + i) = 0;
                for (; i < length; i++)
                    d[i] = 0;
            }
        }

        internal static void ClearWithReferences(ref IntPtr destination, nuint pointerCount)
        {
            fixed (IntPtr* d = &destination)
                for (nuint i = 0; i < pointerCount; i++)
                    d[i] = 0;
        }
    }
}
