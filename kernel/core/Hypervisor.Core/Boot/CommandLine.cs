using System;
using Hypervisor.Core.Text;

namespace Hypervisor.Core.Boot
{
    /// <summary>
    /// Parses the hypervisor's command line the way Xen does: options separated by spaces, each either
    /// <c>name=value</c>, <c>name</c> (a boolean set to true) or <c>no-name</c> (set to false); in names
    /// '-' and '_' are the same. An unknown option or a bad value is a warning naming it, and parsing
    /// goes on with the next option: a typo must never stop the machine from booting.
    /// </summary>
    public static class CommandLine
    {
        public const string UnknownOptionMessage = "Command line: unknown option ignored:";
        public const string BadValueMessage = "Command line: bad value, option ignored:";
        public const string NotBooleanMessage = "Command line: option is not a boolean, ignored:";
        public const string MissingValueMessage = "Command line: option needs a value, ignored:";
        public const string UnsupportedMessage = "Command line: option form not supported yet, ignored:";

        private const ulong KiB = 1024;

        /// <summary>Parses <paramref name="line"/> (ASCII, no image name: see
        /// <see cref="SkipImageName"/>). Warnings go to <paramref name="warnings"/> when given.</summary>
        public static HypervisorOptions Parse(ReadOnlySpan<byte> line, BootWarningList warnings)
        {
            if (warnings == null)
            {
                warnings = new BootWarningList();
            }

            HypervisorOptions options = new HypervisorOptions();
            int position = 0;
            while (true)
            {
                while (position < line.Length && IsSeparator(line[position]))
                {
                    position++;
                }

                if (position >= line.Length)
                {
                    break;
                }

                int start = position;
                while (position < line.Length && !IsSeparator(line[position]))
                {
                    position++;
                }

                ApplyOption(line.Slice(start, position - start), options, warnings);
            }

            return options;
        }

        /// <summary>
        /// The command line without the image name that some loaders put first. As in Xen, GRUB 2
        /// (loader name containing "GRUB " followed by anything but '0') leaves the name out; other
        /// loaders (GRUB legacy, QEMU's -kernel) include it, so the first word is skipped.
        /// </summary>
        public static ReadOnlySpan<byte> SkipImageName(ReadOnlySpan<byte> line, byte[] loaderName)
        {
            int position = 0;
            while (position < line.Length && IsSeparator(line[position]))
            {
                position++;
            }

            if (!IsGrub2(loaderName))
            {
                while (position < line.Length && !IsSeparator(line[position]))
                {
                    position++;
                }

                while (position < line.Length && IsSeparator(line[position]))
                {
                    position++;
                }
            }

            return line.Slice(position);
        }

        /// <summary>
        /// Splits a boot module's string into its first word (the image name) and the rest (the
        /// arguments: for dom0's kernel module, dom0's command line). Both are fresh copies, empty when
        /// absent; separators around the split are dropped.
        /// </summary>
        public static void SplitModuleString(ReadOnlySpan<byte> moduleString, out byte[] imageName, out byte[] arguments)
        {
            int position = 0;
            while (position < moduleString.Length && IsSeparator(moduleString[position]))
            {
                position++;
            }

            int nameStart = position;
            while (position < moduleString.Length && !IsSeparator(moduleString[position]))
            {
                position++;
            }

            imageName = AsciiBytes.Copy(moduleString.Slice(nameStart, position - nameStart));
            while (position < moduleString.Length && IsSeparator(moduleString[position]))
            {
                position++;
            }

            // Trailing separators are not part of the arguments.
            int end = moduleString.Length;
            while (end > position && IsSeparator(moduleString[end - 1]))
            {
                end--;
            }

            arguments = AsciiBytes.Copy(moduleString.Slice(position, end - position));
        }

        /// <summary>
        /// A size as Xen writes it: a number (decimal, or hex with 0x) and an optional suffix
        /// B, K, M, G or T (either case); without a suffix the number is in KiB, as in Xen.
        /// False on anything else, trailing text, or overflow.
        /// </summary>
        public static bool TryParseSize(ReadOnlySpan<byte> text, out ulong bytes)
        {
            bytes = 0;
            ulong number;
            int used;
            if (!TryParseNumber(text, out number, out used))
            {
                return false;
            }

            int shift = 10;
            if (used < text.Length)
            {
                if (used != text.Length - 1)
                {
                    return false;
                }

                switch (AsciiBytes.ToLower(text[used]))
                {
                    case (byte)'b': shift = 0; break;
                    case (byte)'k': shift = 10; break;
                    case (byte)'m': shift = 20; break;
                    case (byte)'g': shift = 30; break;
                    case (byte)'t': shift = 40; break;
                    default: return false;
                }
            }

            if (shift != 0 && number > (ulong.MaxValue >> shift))
            {
                return false;
            }

            bytes = number << shift;
            return true;
        }

        /// <summary>An unsigned number at the start of <paramref name="text"/>: decimal, or hex after
        /// 0x. <paramref name="used"/> is how many bytes it took. False when there are no digits or the
        /// value overflows 64 bits.</summary>
        public static bool TryParseNumber(ReadOnlySpan<byte> text, out ulong value, out int used)
        {
            value = 0;
            used = 0;
            ulong radix = 10;
            int position = 0;
            if (text.Length > 2 && text[0] == (byte)'0' && AsciiBytes.ToLower(text[1]) == (byte)'x')
            {
                radix = 16;
                position = 2;
            }

            int firstDigit = position;
            while (position < text.Length)
            {
                int digit = DigitValue(text[position]);
                if (digit < 0 || (ulong)digit >= radix)
                {
                    break;
                }

                if (value > (ulong.MaxValue - (ulong)digit) / radix)
                {
                    return false;
                }

                value = value * radix + (ulong)digit;
                position++;
            }

            if (position == firstDigit)
            {
                value = 0;
                if (radix == 16)
                {
                    // "0x" not followed by a hex digit: like strtoull, the number is the "0".
                    used = 1;
                    return true;
                }

                return false;
            }

            used = position;
            return true;
        }

        /// <summary>Xen's boolean words: yes/on/true/enable/1 and no/off/false/disable/0.</summary>
        public static bool TryParseBoolean(ReadOnlySpan<byte> text, out bool value)
        {
            if (AsciiBytes.MatchesIgnoreCase(text, "1") || AsciiBytes.MatchesIgnoreCase(text, "yes")
                || AsciiBytes.MatchesIgnoreCase(text, "on") || AsciiBytes.MatchesIgnoreCase(text, "true")
                || AsciiBytes.MatchesIgnoreCase(text, "enable"))
            {
                value = true;
                return true;
            }

            if (AsciiBytes.MatchesIgnoreCase(text, "0") || AsciiBytes.MatchesIgnoreCase(text, "no")
                || AsciiBytes.MatchesIgnoreCase(text, "off") || AsciiBytes.MatchesIgnoreCase(text, "false")
                || AsciiBytes.MatchesIgnoreCase(text, "disable"))
            {
                value = false;
                return true;
            }

            value = false;
            return false;
        }

        private static void ApplyOption(ReadOnlySpan<byte> token, HypervisorOptions options, BootWarningList warnings)
        {
            int equals = IndexOf(token, (byte)'=');
            bool hasValue = equals >= 0;
            ReadOnlySpan<byte> name = hasValue ? token.Slice(0, equals) : token;
            ReadOnlySpan<byte> value = hasValue ? token.Slice(equals + 1) : token.Slice(token.Length);

            if (NameIs(name, "console"))
            {
                RequireValue(token, hasValue, value, warnings, ParseConsole(value, options));
            }
            else if (NameIs(name, "com1"))
            {
                RequireValue(token, hasValue, value, warnings, ParseCom1(value, options));
            }
            else if (NameIs(name, "loglvl"))
            {
                RequireValue(token, hasValue, value, warnings, ParseLogLevel(value, options));
            }
            else if (NameIs(name, "dom0_mem"))
            {
                if (RequireValue(token, hasValue, value, warnings, true))
                {
                    ParseDom0Memory(token, value, options, warnings);
                }
            }
            else if (NameIs(name, "reboot"))
            {
                RequireValue(token, hasValue, value, warnings, ParseReboot(value, options));
            }
            else if (NameIs(name, "test_fault"))
            {
                RequireValue(token, hasValue, value, warnings, ParseTestFault(value, options));
            }
            else if (NameIs(name, "noreboot"))
            {
                bool flag;
                if (TryBoolean(token, hasValue, value, true, warnings, out flag))
                {
                    options.NoReboot = flag;
                }
            }
            else if (NameIs(name, "nosmp"))
            {
                bool flag;
                if (TryBoolean(token, hasValue, value, true, warnings, out flag))
                {
                    options.NoSmp = flag;
                }
            }
            else if (NameIs(name, "maxcpus"))
            {
                RequireValue(token, hasValue, value, warnings, ParseMaxCpus(value, options));
            }
            else if (NameIs(name, "dom0_max_vcpus"))
            {
                RequireValue(token, hasValue, value, warnings, ParseDom0MaxVcpus(value, options));
            }
            else if (NameIs(name, "dom0_crash_reboot"))
            {
                bool flag;
                if (TryBoolean(token, hasValue, value, true, warnings, out flag))
                {
                    options.RebootOnDom0Crash = flag;
                }
            }
            else if (IsNegated(name))
            {
                ApplyNegated(token, name.Slice(3), hasValue, options, warnings);
            }
            else
            {
                warnings.AddSubject(UnknownOptionMessage, name);
            }
        }

        // "no-name": false for a boolean option, a warning for anything else.
        private static void ApplyNegated(ReadOnlySpan<byte> token, ReadOnlySpan<byte> name, bool hasValue, HypervisorOptions options, BootWarningList warnings)
        {
            if (NameIs(name, "noreboot") || NameIs(name, "nosmp"))
            {
                if (hasValue)
                {
                    warnings.AddSubject(BadValueMessage, token);
                }
                else if (NameIs(name, "noreboot"))
                {
                    options.NoReboot = false;
                }
                else
                {
                    options.NoSmp = false;
                }
            }
            else if (NameIs(name, "console") || NameIs(name, "com1") || NameIs(name, "loglvl") || NameIs(name, "dom0_mem")
                || NameIs(name, "reboot") || NameIs(name, "test_fault") || NameIs(name, "maxcpus") || NameIs(name, "dom0_max_vcpus"))
            {
                warnings.AddSubject(NotBooleanMessage, token);
            }
            else
            {
                warnings.AddSubject(UnknownOptionMessage, hasValue ? token.Slice(0, IndexOf(token, (byte)'=')) : token);
            }
        }

        private static bool IsNegated(ReadOnlySpan<byte> name)
        {
            return name.Length > 3 && name[0] == (byte)'n' && name[1] == (byte)'o' && (name[2] == (byte)'-' || name[2] == (byte)'_');
        }

        private static bool TryBoolean(ReadOnlySpan<byte> token, bool hasValue, ReadOnlySpan<byte> value, bool bareValue, BootWarningList warnings, out bool result)
        {
            if (!hasValue)
            {
                result = bareValue;
                return true;
            }

            if (TryParseBoolean(value, out result))
            {
                return true;
            }

            warnings.AddSubject(BadValueMessage, token);
            return false;
        }

        // Reports a missing or bad value; returns whether the option was accepted.
        private static bool RequireValue(ReadOnlySpan<byte> token, bool hasValue, ReadOnlySpan<byte> value, BootWarningList warnings, bool parsed)
        {
            if (!hasValue || value.IsEmpty)
            {
                warnings.AddSubject(MissingValueMessage, token);
                return false;
            }

            if (!parsed)
            {
                warnings.AddSubject(BadValueMessage, token);
                return false;
            }

            return true;
        }

        // console=com1,vga / none. Nothing changes unless every item is understood.
        private static bool ParseConsole(ReadOnlySpan<byte> value, HypervisorOptions options)
        {
            if (value.IsEmpty)
            {
                return false;
            }

            ConsoleTargets targets = ConsoleTargets.None;
            int position = 0;
            while (position <= value.Length)
            {
                int end = NextComma(value, position);
                ReadOnlySpan<byte> item = value.Slice(position, end - position);
                if (AsciiBytes.MatchesIgnoreCase(item, "com1"))
                {
                    targets = targets | ConsoleTargets.Com1;
                }
                else if (AsciiBytes.MatchesIgnoreCase(item, "vga"))
                {
                    targets = targets | ConsoleTargets.Vga;
                }
                else if (!AsciiBytes.MatchesIgnoreCase(item, "none"))
                {
                    return false;
                }

                position = end + 1;
            }

            options.Console = targets;
            return true;
        }

        // com1=<baud|auto>[/<base-baud>][,<data><parity><stop>[,<io-base>[,<irq>]]]
        private static bool ParseCom1(ReadOnlySpan<byte> value, HypervisorOptions options)
        {
            if (value.IsEmpty)
            {
                return false;
            }

            int end = NextComma(value, 0);
            ReadOnlySpan<byte> baudText = value.Slice(0, end);
            int slash = IndexOf(baudText, (byte)'/');
            if (slash >= 0)
            {
                // The base-baud (UART clock / 16) is only needed for odd UARTs; ours is standard.
                baudText = baudText.Slice(0, slash);
            }

            bool auto = false;
            ulong baud = HypervisorOptions.DefaultBaud;
            if (AsciiBytes.MatchesIgnoreCase(baudText, "auto"))
            {
                auto = true;
            }
            else if (!baudText.IsEmpty)
            {
                int used;
                if (!TryParseNumber(baudText, out baud, out used) || used != baudText.Length || baud == 0 || baud > 115200 * 8)
                {
                    return false;
                }
            }

            byte dataBits = 8;
            byte parity = (byte)'n';
            byte stopBits = 1;
            ulong ioBase = HypervisorOptions.DefaultCom1IoBase;
            ulong irq = HypervisorOptions.DefaultCom1Irq;

            int position = end + 1;
            if (position <= value.Length)
            {
                end = NextComma(value, position);
                ReadOnlySpan<byte> format = value.Slice(position, end - position);
                if (!format.IsEmpty)
                {
                    if (format.Length != 3 || format[0] < (byte)'5' || format[0] > (byte)'8'
                        || !IsParity(AsciiBytes.ToLower(format[1])) || (format[2] != (byte)'1' && format[2] != (byte)'2'))
                    {
                        return false;
                    }

                    dataBits = (byte)(format[0] - (byte)'0');
                    parity = AsciiBytes.ToLower(format[1]);
                    stopBits = (byte)(format[2] - (byte)'0');
                }

                position = end + 1;
            }

            if (position <= value.Length)
            {
                end = NextComma(value, position);
                if (end > position && !TryParseWhole(value.Slice(position, end - position), 0xFFFF, out ioBase))
                {
                    return false;
                }

                position = end + 1;
            }

            if (position <= value.Length)
            {
                end = NextComma(value, position);
                if (end > position && !TryParseWhole(value.Slice(position, end - position), 15, out irq))
                {
                    return false;
                }

                position = end + 1;
            }

            if (position <= value.Length)
            {
                // Xen's further fields (PCI location, bridge) do not apply to an ISA COM1.
                return false;
            }

            options.Com1BaudAuto = auto;
            options.Com1Baud = (uint)baud;
            options.Com1DataBits = dataBits;
            options.Com1Parity = parity;
            options.Com1StopBits = stopBits;
            options.Com1IoBase = (ushort)ioBase;
            options.Com1Irq = (byte)irq;
            return true;
        }

        // loglvl=<level>[/<rate-limited level>]; the rate-limited level has no meaning here.
        private static bool ParseLogLevel(ReadOnlySpan<byte> value, HypervisorOptions options)
        {
            int slash = IndexOf(value, (byte)'/');
            ReadOnlySpan<byte> level = slash >= 0 ? value.Slice(0, slash) : value;
            LogLevel parsed;
            if (!TryParseLogLevel(level, out parsed))
            {
                return false;
            }

            options.LogLevel = parsed;
            return true;
        }

        /// <summary>Xen's level names: none, error, warning, info, debug, all (= debug).</summary>
        public static bool TryParseLogLevel(ReadOnlySpan<byte> text, out LogLevel level)
        {
            if (AsciiBytes.MatchesIgnoreCase(text, "none")) { level = LogLevel.None; return true; }
            if (AsciiBytes.MatchesIgnoreCase(text, "error")) { level = LogLevel.Error; return true; }
            if (AsciiBytes.MatchesIgnoreCase(text, "warning")) { level = LogLevel.Warning; return true; }
            if (AsciiBytes.MatchesIgnoreCase(text, "info")) { level = LogLevel.Info; return true; }
            if (AsciiBytes.MatchesIgnoreCase(text, "debug")) { level = LogLevel.Debug; return true; }
            if (AsciiBytes.MatchesIgnoreCase(text, "all")) { level = LogLevel.Debug; return true; }
            level = LogLevel.Info;
            return false;
        }

        // dom0_mem=[min:<size>,][max:<size>,][<size>]: only the plain amount is used for now; min:/max:,
        // negative amounts and percentages are Xen forms we do not implement yet.
        private static void ParseDom0Memory(ReadOnlySpan<byte> token, ReadOnlySpan<byte> value, HypervisorOptions options, BootWarningList warnings)
        {
            int position = 0;
            while (position <= value.Length)
            {
                int end = NextComma(value, position);
                ReadOnlySpan<byte> item = value.Slice(position, end - position);
                position = end + 1;
                if (item.IsEmpty)
                {
                    continue;
                }

                if (AsciiBytes.StartsWith(item, "min:") || AsciiBytes.StartsWith(item, "max:") || item[0] == (byte)'-'
                    || item[item.Length - 1] == (byte)'%')
                {
                    warnings.AddSubject(UnsupportedMessage, token);
                    continue;
                }

                ulong bytes;
                if (!TryParseSize(item, out bytes) || bytes == 0)
                {
                    warnings.AddSubject(BadValueMessage, token);
                    continue;
                }

                options.HasDom0Memory = true;
                options.Dom0MemoryBytes = bytes;
            }
        }

        // reboot=acpi|kbd|triple|no (also Xen's one-letter forms); warm/cold are accepted and ignored.
        private static bool ParseReboot(ReadOnlySpan<byte> value, HypervisorOptions options)
        {
            RebootMethod method = options.Reboot;
            bool noReboot = options.NoReboot;
            int position = 0;
            while (position <= value.Length)
            {
                int end = NextComma(value, position);
                ReadOnlySpan<byte> item = value.Slice(position, end - position);
                position = end + 1;
                if (AsciiBytes.MatchesIgnoreCase(item, "acpi") || AsciiBytes.MatchesIgnoreCase(item, "a"))
                {
                    method = RebootMethod.Acpi;
                }
                else if (AsciiBytes.MatchesIgnoreCase(item, "kbd") || AsciiBytes.MatchesIgnoreCase(item, "k"))
                {
                    method = RebootMethod.Keyboard;
                }
                else if (AsciiBytes.MatchesIgnoreCase(item, "triple") || AsciiBytes.MatchesIgnoreCase(item, "t"))
                {
                    method = RebootMethod.TripleFault;
                }
                else if (AsciiBytes.MatchesIgnoreCase(item, "no") || AsciiBytes.MatchesIgnoreCase(item, "n"))
                {
                    noReboot = true;
                }
                else if (!(AsciiBytes.MatchesIgnoreCase(item, "warm") || AsciiBytes.MatchesIgnoreCase(item, "w")
                    || AsciiBytes.MatchesIgnoreCase(item, "cold") || AsciiBytes.MatchesIgnoreCase(item, "c")))
                {
                    return false;
                }
            }

            options.Reboot = method;
            options.NoReboot = noReboot;
            return true;
        }

        // maxcpus=N: a whole number of at least 1 (0 would leave no CPU to boot on).
        private static bool ParseMaxCpus(ReadOnlySpan<byte> value, HypervisorOptions options)
        {
            ulong count;
            if (!TryParseWhole(value, uint.MaxValue, out count) || count == 0)
            {
                return false;
            }

            options.MaxCpus = (uint)count;
            return true;
        }

        // dom0_max_vcpus=N or =min-max (Xen's forms): whole numbers, at least 1, min not above max.
        private static bool ParseDom0MaxVcpus(ReadOnlySpan<byte> value, HypervisorOptions options)
        {
            int dash = IndexOf(value, (byte)'-');
            ulong min = 1, max;
            if (dash < 0)
            {
                if (!TryParseWhole(value, uint.MaxValue, out max))
                {
                    return false;
                }
            }
            else if (!TryParseWhole(value.Slice(0, dash), uint.MaxValue, out min) || !TryParseWhole(value.Slice(dash + 1), uint.MaxValue, out max))
            {
                return false;
            }

            if (min == 0 || max == 0 || min > max)
            {
                return false;
            }

            options.Dom0MinVcpus = dash < 0 ? 0 : (uint)min;
            options.Dom0MaxVcpus = (uint)max;
            return true;
        }

        private static bool ParseTestFault(ReadOnlySpan<byte> value, HypervisorOptions options)
        {
            TestFault fault;
            if (AsciiBytes.MatchesIgnoreCase(value, "none")) { fault = TestFault.None; }
            else if (AsciiBytes.MatchesIgnoreCase(value, "ud")) { fault = TestFault.InvalidOpcode; }
            else if (AsciiBytes.MatchesIgnoreCase(value, "pf")) { fault = TestFault.PageFault; }
            else if (AsciiBytes.MatchesIgnoreCase(value, "gp")) { fault = TestFault.GeneralProtection; }
            else if (AsciiBytes.MatchesIgnoreCase(value, "de")) { fault = TestFault.DivideError; }
            else { return false; }

            options.TestFault = fault;
            return true;
        }

        private static bool TryParseWhole(ReadOnlySpan<byte> text, ulong maximum, out ulong value)
        {
            int used;
            return TryParseNumber(text, out value, out used) && used == text.Length && value <= maximum;
        }

        private static bool IsParity(byte b)
        {
            return b == (byte)'n' || b == (byte)'o' || b == (byte)'e' || b == (byte)'m' || b == (byte)'s';
        }

        // Option names compare case-sensitively, with '-' and '_' interchangeable (as in Xen).
        private static bool NameIs(ReadOnlySpan<byte> name, string literal)
        {
            if (name.Length != literal.Length)
            {
                return false;
            }

            for (int i = 0; i < name.Length; i++)
            {
                byte a = name[i] == (byte)'-' ? (byte)'_' : name[i];
                char b = literal[i] == '-' ? '_' : literal[i];
                if (a != b)
                {
                    return false;
                }
            }

            return true;
        }

        private static bool IsGrub2(byte[] loaderName)
        {
            if (loaderName == null)
            {
                return false;
            }

            for (int i = 0; i + 5 < loaderName.Length; i++)
            {
                if (loaderName[i] == (byte)'G' && loaderName[i + 1] == (byte)'R' && loaderName[i + 2] == (byte)'U'
                    && loaderName[i + 3] == (byte)'B' && loaderName[i + 4] == (byte)' ')
                {
                    return loaderName[i + 5] != (byte)'0';
                }
            }

            return false;
        }

        private static bool IsSeparator(byte b)
        {
            return b == (byte)' ' || b == (byte)'\t' || b == (byte)'\n' || b == (byte)'\r';
        }

        private static int IndexOf(ReadOnlySpan<byte> text, byte wanted)
        {
            for (int i = 0; i < text.Length; i++)
            {
                if (text[i] == wanted)
                {
                    return i;
                }
            }

            return -1;
        }

        // Index of the next ',' at or after start, or the length when there is none.
        private static int NextComma(ReadOnlySpan<byte> text, int start)
        {
            for (int i = start; i < text.Length; i++)
            {
                if (text[i] == (byte)',')
                {
                    return i;
                }
            }

            return text.Length;
        }

        private static int DigitValue(byte b)
        {
            if (b >= (byte)'0' && b <= (byte)'9')
            {
                return b - (byte)'0';
            }

            byte lower = AsciiBytes.ToLower(b);
            if (lower >= (byte)'a' && lower <= (byte)'f')
            {
                return lower - (byte)'a' + 10;
            }

            return -1;
        }
    }
}
