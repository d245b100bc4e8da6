namespace Hypervisor.Guest
{
    /// <summary>A command line "PREFIX" + decimal value, written byte by byte (the runtime has no string
    /// formatting).</summary>
    internal static unsafe class CommandLineText
    {
        /// <summary>Writes <paramref name="prefix"/> and <paramref name="value"/> into <paramref name="text"/>
        /// (at most <paramref name="capacity"/> - 1 bytes, then a zero); the length written.</summary>
        public static int Write(byte* text, int capacity, string prefix, ulong value)
        {
            int length = 0;
            for (int i = 0; i < prefix.Length && length < capacity - 1; i++)
                text[length++] = (byte)prefix[i];
            byte* digits = stackalloc byte[20];
            int n = 0;
            do
            {
                digits[n++] = (byte)('0' + value % 10);
                value /= 10;
            }
            while (value != 0);
            while (n > 0 && length < capacity - 1)
                text[length++] = digits[--n];
            text[length] = 0;
            return length;
        }
    }
}
