using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>The kernel's command line from start_info (for dom0: the boot module's string after the
    /// file name), with "key=value" look-ups.</summary>
    public static unsafe class KernelCommandLine
    {
        public static byte* Text => StartOfDay.StartInfo->CmdLine;

        public static int Length => Ascii.Length(Text, Abi.StartInfo.CmdLineLength);

        /// <summary>Finds the word "key=value" and returns the value's bytes.</summary>
        public static bool TryGetValue(string key, out byte* value, out int length)
        {
            byte* text = Text;
            int n = Length;
            int i = 0;
            while (i < n)
            {
                while (i < n && text[i] == ' ')
                    i++;
                int start = i;
                while (i < n && text[i] != ' ')
                    i++;
                int wordLength = i - start;
                if (wordLength > key.Length && text[start + key.Length] == '='
                    && Ascii.StartsWith(text + start, wordLength, key))
                {
                    value = text + start + key.Length + 1;
                    length = wordLength - key.Length - 1;
                    return true;
                }
            }
            value = null;
            length = 0;
            return false;
        }

        /// <summary>A number value, decimal or hexadecimal with a 0x prefix ("evtchn=5", "report=0xffff...").</summary>
        public static bool TryGetNumber(string key, out ulong number)
        {
            number = 0;
            if (!TryGetValue(key, out byte* value, out int length))
                return false;
            int used;
            if (length > 2 && value[0] == '0' && (value[1] == 'x' || value[1] == 'X'))
                return Ascii.TryParseHex(value + 2, length - 2, out number, out used) && used == length - 2;
            return Ascii.TryParseDecimal(value, length, out number, out used) && used == length;
        }

        /// <summary>A size value such as "64M", "512K", "1G" or a plain number of bytes.</summary>
        public static bool TryGetSize(string key, out ulong bytes)
        {
            bytes = 0;
            if (!TryGetValue(key, out byte* value, out int length))
                return false;
            if (!Ascii.TryParseDecimal(value, length, out ulong number, out int used))
                return false;
            ulong unit = 1;
            if (used < length)
            {
                switch (value[used])
                {
                    case (byte)'K': case (byte)'k': unit = 1UL << 10; break;
                    case (byte)'M': case (byte)'m': unit = 1UL << 20; break;
                    case (byte)'G': case (byte)'g': unit = 1UL << 30; break;
                    default: return false;
                }
                if (used + 1 != length)
                    return false;
            }
            bytes = number * unit;
            return true;
        }
    }
}
