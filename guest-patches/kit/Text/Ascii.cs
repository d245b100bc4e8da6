namespace Hypervisor.Guest
{
    /// <summary>
    /// Byte strings as the hypervisor hands them out (NUL-terminated or counted ASCII), compared with
    /// C# literals. The freestanding runtime has no string operations beyond literals, Length and the
    /// indexer, so these are written out here.
    /// </summary>
    public static unsafe class Ascii
    {
        /// <summary>Bytes before the first NUL, at most <paramref name="max"/>.</summary>
        public static int Length(byte* text, int max)
        {
            int n = 0;
            while (n < max && text[n] != 0)
                n++;
            return n;
        }

        public static bool Equals(byte* text, int length, string literal)
        {
            if (length != literal.Length)
                return false;
            for (int i = 0; i < length; i++)
            {
                if (text[i] != literal[i])
                    return false;
            }
            return true;
        }

        public static bool StartsWith(byte* text, int length, string prefix)
        {
            if (length < prefix.Length)
                return false;
            for (int i = 0; i < prefix.Length; i++)
            {
                if (text[i] != prefix[i])
                    return false;
            }
            return true;
        }

        /// <summary>Where <paramref name="needle"/> first occurs, or -1.</summary>
        public static int IndexOf(byte* text, int length, string needle)
        {
            for (int i = 0; i + needle.Length <= length; i++)
            {
                if (StartsWith(text + i, length - i, needle))
                    return i;
            }
            return -1;
        }

        /// <summary>True when <paramref name="word"/> is one of the space-separated words of the text.</summary>
        public static bool ContainsWord(byte* text, int length, string word)
        {
            int i = 0;
            while (i < length)
            {
                while (i < length && text[i] == ' ')
                    i++;
                int start = i;
                while (i < length && text[i] != ' ')
                    i++;
                if (Equals(text + start, i - start, word))
                    return true;
            }
            return false;
        }

        /// <summary>True when every byte is printable ASCII (space to '~').</summary>
        public static bool IsPrintable(byte* text, int length)
        {
            for (int i = 0; i < length; i++)
            {
                if (text[i] < 0x20 || text[i] > 0x7E)
                    return false;
            }
            return true;
        }

        /// <summary>Reads a decimal number; false when there is no digit or it overflows.</summary>
        public static bool TryParseDecimal(byte* text, int length, out ulong value, out int used)
        {
            value = 0;
            used = 0;
            while (used < length && text[used] >= '0' && text[used] <= '9')
            {
                ulong digit = (ulong)(text[used] - '0');
                if (value > (ulong.MaxValue - digit) / 10)
                    return false;
                value = value * 10 + digit;
                used++;
            }
            return used > 0;
        }

        /// <summary>Reads a hexadecimal number (digits only, no prefix); false when there is no digit or it
        /// overflows.</summary>
        public static bool TryParseHex(byte* text, int length, out ulong value, out int used)
        {
            value = 0;
            used = 0;
            while (used < length)
            {
                byte c = text[used];
                ulong digit;
                if (c >= '0' && c <= '9')
                    digit = (ulong)(c - '0');
                else if (c >= 'a' && c <= 'f')
                    digit = (ulong)(c - 'a' + 10);
                else if (c >= 'A' && c <= 'F')
                    digit = (ulong)(c - 'A' + 10);
                else
                    break;
                if ((value >> 60) != 0)
                    return false;
                value = (value << 4) | digit;
                used++;
            }
            return used > 0;
        }
    }
}
