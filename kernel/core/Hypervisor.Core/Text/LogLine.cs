using System;

namespace Hypervisor.Core.Text
{
    /// <summary>
    /// One log line under construction (see <see cref="LogWriter.Begin"/>). Each piece returns the
    /// builder so pieces chain; a line whose level is filtered out ignores every piece. Finish with
    /// <see cref="End"/>.
    /// </summary>
    public struct LogLine
    {
        private const string HexDigits = "0123456789abcdef";

        private readonly LogWriter writer;
        private readonly bool enabled;

        internal LogLine(LogWriter writer, bool enabled)
        {
            this.writer = writer;
            this.enabled = enabled;
        }

        /// <summary>False when the line's level is filtered out (lets callers skip expensive work).</summary>
        public bool IsEnabled
        {
            get { return enabled; }
        }

        /// <summary>A literal. '\n' inside it starts a continuation line (prefixed again with
        /// "(HV) "); other characters outside printable ASCII are shown as '?'.</summary>
        public LogLine Text(string literal)
        {
            if (enabled)
            {
                for (int i = 0; i < literal.Length; i++)
                {
                    char c = literal[i];
                    if (c == '\n')
                    {
                        writer.Put((byte)'\n');
                    }
                    else
                    {
                        writer.Put(Printable(c));
                    }
                }
            }

            return this;
        }

        /// <summary>ASCII bytes from firmware or a guest: anything not printable (newlines included,
        /// so outside text cannot forge a line) is shown as '?'. A null array prints nothing.</summary>
        public LogLine Text(byte[] ascii)
        {
            if (ascii == null)
            {
                return this;
            }

            return Text(new ReadOnlySpan<byte>(ascii));
        }

        /// <summary>As <see cref="Text(byte[])"/>.</summary>
        public LogLine Text(ReadOnlySpan<byte> ascii)
        {
            if (enabled)
            {
                for (int i = 0; i < ascii.Length; i++)
                {
                    byte b = ascii[i];
                    writer.Put(AsciiBytes.IsPrintable(b) ? b : (byte)'?');
                }
            }

            return this;
        }

        public LogLine Char(char c)
        {
            if (enabled)
            {
                writer.Put(c == '\n' ? (byte)'\n' : Printable(c));
            }

            return this;
        }

        /// <summary>Unsigned decimal, no padding.</summary>
        public LogLine Dec(ulong value)
        {
            if (enabled)
            {
                PutDecimal(value);
            }

            return this;
        }

        /// <summary>Signed decimal with a leading '-' for negatives.</summary>
        public LogLine Dec(long value)
        {
            if (enabled)
            {
                if (value < 0)
                {
                    writer.Put((byte)'-');
                    // Negate in unsigned arithmetic so long.MinValue works too.
                    PutDecimal(0UL - (ulong)value);
                }
                else
                {
                    PutDecimal((ulong)value);
                }
            }

            return this;
        }

        /// <summary><c>0x</c> and all 16 hex digits: the width used for addresses.</summary>
        public LogLine Hex(ulong value)
        {
            return Hex(value, 16);
        }

        /// <summary><c>0x</c> and at least <paramref name="digits"/> hex digits (1..16, clamped); more
        /// digits are printed when the value needs them, so nothing is ever cut off.</summary>
        public LogLine Hex(ulong value, int digits)
        {
            if (!enabled)
            {
                return this;
            }

            if (digits < 1)
            {
                digits = 1;
            }

            if (digits > 16)
            {
                digits = 16;
            }

            int needed = 1;
            while (needed < 16 && (value >> (needed * 4)) != 0)
            {
                needed++;
            }

            if (needed < digits)
            {
                needed = digits;
            }

            writer.Put((byte)'0');
            writer.Put((byte)'x');
            for (int shift = (needed - 1) * 4; shift >= 0; shift -= 4)
            {
                writer.Put((byte)HexDigits[(int)((value >> shift) & 0xF)]);
            }

            return this;
        }

        /// <summary>
        /// A byte count for people. The unit is the largest binary unit (B, KiB, MiB, GiB, TiB, PiB, EiB)
        /// not larger than the value. An exact multiple prints as an integer (<c>640 KiB</c>,
        /// <c>3 GiB</c>); anything else prints one decimal digit, truncated (<c>1.5 GiB</c>,
        /// <c>511.9 MiB</c>), so a trailing <c>.0</c> means "a little more than".
        /// </summary>
        public LogLine Size(ulong bytes)
        {
            if (!enabled)
            {
                return this;
            }

            int unit = 0;
            while (unit < 6 && (bytes >> ((unit + 1) * 10)) != 0)
            {
                unit++;
            }

            int shift = unit * 10;
            ulong whole = bytes >> shift;
            ulong remainder = bytes - (whole << shift);
            PutDecimal(whole);
            if (remainder != 0)
            {
                // remainder < 2^60 at most, so remainder * 10 cannot overflow.
                writer.Put((byte)'.');
                writer.Put((byte)('0' + (int)((remainder * 10) >> shift)));
            }

            writer.Put((byte)' ');
            string name = UnitName(unit);
            for (int i = 0; i < name.Length; i++)
            {
                writer.Put((byte)name[i]);
            }

            return this;
        }

        /// <summary>Finishes the line (writes the '\n').</summary>
        public void End()
        {
            if (enabled)
            {
                writer.EndLine();
            }
        }

        private void PutDecimal(ulong value)
        {
            // 20 digits hold ulong.MaxValue.
            Span<byte> digits = stackalloc byte[20];
            int count = 0;
            do
            {
                digits[count++] = (byte)('0' + (int)(value % 10));
                value /= 10;
            }
            while (value != 0);

            while (count > 0)
            {
                writer.Put(digits[--count]);
            }
        }

        private static byte Printable(char c)
        {
            return c >= ' ' && c < (char)0x7F ? (byte)c : (byte)'?';
        }

        private static string UnitName(int unit)
        {
            switch (unit)
            {
                case 0: return "B";
                case 1: return "KiB";
                case 2: return "MiB";
                case 3: return "GiB";
                case 4: return "TiB";
                case 5: return "PiB";
                default: return "EiB";
            }
        }
    }
}
