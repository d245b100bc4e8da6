using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>
    /// Text output through console_io write. Output is gathered into lines and each line goes out in
    /// one hypercall, so a guest's lines are never interleaved with the hypervisor's. Characters
    /// outside ASCII print as '?'. There is no string formatting in the freestanding runtime: numbers
    /// are written digit by digit here, and <see cref="Line"/> gives a chainable writer.
    /// </summary>
    public static unsafe class GuestConsole
    {
        private const int Capacity = 1000;

        private struct LineBuffer
        {
            public fixed byte Bytes[Capacity + 1];
        }

#pragma warning disable CS0169 // used through fixed statements, which the compiler does not count
        private static LineBuffer s_line;
#pragma warning restore CS0169
        private static int s_length;
        private static long s_lastResult;
        private static ulong s_failedWrites;

        /// <summary>What the last console_io write returned (0 on Xen 4.17 when it worked).</summary>
        public static long LastResult => s_lastResult;

        /// <summary>How many console_io writes returned an error.</summary>
        public static ulong FailedWrites => s_failedWrites;

        private static delegate*<byte*, int, void> s_sink;

        /// <summary>Hands every gathered line to <paramref name="sink"/> instead of console_io (null: console_io
        /// again). A domU may not use the console on Xen (-EPERM): it can give its lines to dom0 through
        /// memory they share.</summary>
        public static void SetSink(delegate*<byte*, int, void> sink) => s_sink = sink;

        /// <summary>A chainable writer for one line: <c>GuestConsole.Line().Text("x = ").Dec(x).End()</c>.</summary>
        public static ConsoleLine Line() => default;

        public static void Write(char c)
        {
            if (c == '\n')
            {
                WriteLine();
                return;
            }
            Append(c < 0x80 ? (byte)c : (byte)'?');
        }

        public static void Write(string text)
        {
            for (int i = 0; i < text.Length; i++)
                Write(text[i]);
        }

        /// <summary>Bytes as they are (a buffer from the hypervisor, a command line).</summary>
        public static void Write(byte* text, int length)
        {
            for (int i = 0; i < length; i++)
            {
                if (text[i] == (byte)'\n')
                    WriteLine();
                else
                    Append(text[i]);
            }
        }

        /// <summary>A NUL-terminated string of at most <paramref name="max"/> bytes.</summary>
        public static void WriteAsciiz(byte* text, int max) => Write(text, Ascii.Length(text, max));

        public static void WriteDec(ulong value)
        {
            byte* digits = stackalloc byte[20];
            int n = 0;
            do
            {
                digits[n++] = (byte)('0' + value % 10);
                value /= 10;
            } while (value != 0);
            while (n > 0)
                Append(digits[--n]);
        }

        public static void WriteSigned(long value)
        {
            if (value < 0)
            {
                Append((byte)'-');
                WriteDec((ulong)(-(value + 1)) + 1);
            }
            else
            {
                WriteDec((ulong)value);
            }
        }

        /// <summary>"0x" and exactly <paramref name="digits"/> hexadecimal digits.</summary>
        public static void WriteHex(ulong value, int digits)
        {
            Append((byte)'0');
            Append((byte)'x');
            WriteHexDigits(value, digits);
        }

        /// <summary>Exactly <paramref name="digits"/> hexadecimal digits, no prefix (bytes of a dump).</summary>
        public static void WriteHexDigits(ulong value, int digits)
        {
            for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4)
            {
                uint nibble = (uint)(value >> shift) & 0xF;
                Append((byte)(nibble < 10 ? '0' + nibble : 'a' + nibble - 10));
            }
        }

        /// <summary>"0x" and as many hexadecimal digits as the value needs.</summary>
        public static void WriteHex(ulong value)
        {
            int digits = 1;
            while (digits < 16 && (value >> (digits * 4)) != 0)
                digits++;
            WriteHex(value, digits);
        }

        /// <summary>A hypercall result: the number, and for a negative errno its name ("-14 (EFAULT)").</summary>
        public static void WriteResult(long result)
        {
            WriteSigned(result);
            if (result < 0)
            {
                string name = ErrnoNames.Find((int)-result);
                if (name != null)
                {
                    Write(" (");
                    Write(name);
                    Append((byte)')');
                }
            }
        }

        /// <summary>Ends the line and sends it.</summary>
        public static void WriteLine()
        {
            Append((byte)'\n');
            Flush();
        }

        /// <summary>Sends what is gathered, even without a newline.</summary>
        public static void Flush()
        {
            if (s_length == 0)
                return;
            fixed (byte* line = s_line.Bytes)
            {
                if (s_sink != null)
                {
                    s_sink(line, s_length);
                    s_length = 0;
                    return;
                }
                long rc = Hypercalls.ConsoleWrite(line, (uint)s_length);
                s_lastResult = rc;
                if (rc < 0)
                    s_failedWrites++;
            }
            s_length = 0;
        }

        private static void Append(byte b)
        {
            fixed (byte* line = s_line.Bytes)
                line[s_length++] = b;
            if (s_length >= Capacity)
                Flush();
        }
    }
}
