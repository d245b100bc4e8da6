namespace Hypervisor.Conformance
{
    /// <summary>Byte patterns both domains compute the same way: what <see cref="PeerCommand.Fill"/> writes,
    /// and a hash to compare byte ranges across domains without moving them.</summary>
    internal static unsafe class Bytes
    {
        public static byte At(int index, long multiplier, long offset) => (byte)(index * multiplier + offset);

        public static void Fill(byte* page, long multiplier, long offset)
        {
            for (int i = 0; i < 4096; i++)
                page[i] = At(i, multiplier, offset);
        }

        /// <summary>FNV-1a over <paramref name="length"/> bytes.</summary>
        public static long Hash(byte* bytes, long length)
        {
            ulong hash = 14695981039346656037UL;
            for (long i = 0; i < length; i++)
            {
                hash ^= bytes[i];
                hash *= 1099511628211UL;
            }
            return (long)hash;
        }
    }
}
