using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>A command line written piece by piece (the runtime has no string formatting).</summary>
    internal sealed unsafe class CommandLineText
    {
        public const int Capacity = 256;
        private readonly byte* text = GuestMemory.Allocate(Capacity);
        private int length;

        public byte* Text => text;
        public int Length => length;

        public CommandLineText Append(string s)
        {
            for (int i = 0; i < s.Length && length < Capacity - 1; i++)
                text[length++] = (byte)s[i];
            return this;
        }

        public CommandLineText Decimal(ulong value)
        {
            byte* digits = stackalloc byte[20];
            int n = 0;
            do
            {
                digits[n++] = (byte)('0' + value % 10);
                value /= 10;
            }
            while (value != 0);
            while (n > 0 && length < Capacity - 1)
                text[length++] = digits[--n];
            return this;
        }

        public CommandLineText Hex(ulong value)
        {
            Append("0x");
            for (int shift = 60; shift >= 0; shift -= 4)
            {
                int digit = (int)((value >> shift) & 0xF);
                if (length < Capacity - 1)
                    text[length++] = (byte)(digit < 10 ? '0' + digit : 'a' + digit - 10);
            }
            return this;
        }
    }
}
