namespace Hypervisor.Guest
{
    /// <summary>A command line for a kernel dom0 builds (<see cref="DomainBuilder.Build"/>), written byte by
    /// byte (the runtime has no string formatting): text, decimal and hexadecimal numbers.</summary>
    public sealed unsafe class CommandLineWriter
    {
        public const int Capacity = 256;
        private readonly byte* text = GuestMemory.Allocate(Capacity);
        private int length;

        public byte* Text => text;
        public int Length => length;

        public CommandLineWriter Append(string s)
        {
            for (int i = 0; i < s.Length && length < Capacity - 1; i++)
                text[length++] = (byte)s[i];
            return this;
        }

        public CommandLineWriter Bytes(byte* bytes, int count)
        {
            for (int i = 0; i < count && length < Capacity - 1; i++)
                text[length++] = bytes[i];
            return this;
        }

        public CommandLineWriter Decimal(ulong value)
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

        public CommandLineWriter Hex(ulong value)
        {
            Append("0x");
            bool started = false;
            for (int shift = 60; shift >= 0; shift -= 4)
            {
                int digit = (int)((value >> shift) & 0xF);
                if (digit == 0 && !started && shift != 0)
                    continue;
                started = true;
                if (length < Capacity - 1)
                    text[length++] = (byte)(digit < 10 ? '0' + digit : 'a' + digit - 10);
            }
            return this;
        }
    }
}
