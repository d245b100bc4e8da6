using System;
using Hypervisor.Core.Text;

namespace Hypervisor.Core.Boot
{
    /// <summary>
    /// Warnings collected during start of day, kept until the log can print them. The storage is
    /// allocated once; warnings beyond the capacity are counted in <see cref="Dropped"/> rather than
    /// growing the list, because a broken firmware table could otherwise produce thousands.
    /// </summary>
    public sealed class BootWarningList
    {
        public const int DefaultCapacity = 64;

        private readonly BootWarning[] items;
        private int count;
        private int dropped;

        public BootWarningList() : this(DefaultCapacity)
        {
        }

        public BootWarningList(int capacity)
        {
            items = new BootWarning[capacity < 1 ? 1 : capacity];
        }

        public int Count
        {
            get { return count; }
        }

        /// <summary>Warnings that did not fit.</summary>
        public int Dropped
        {
            get { return dropped; }
        }

        public BootWarning this[int index]
        {
            get { return items[index]; }
        }

        public void Add(BootWarning warning)
        {
            if (count < items.Length)
            {
                items[count++] = warning;
            }
            else
            {
                dropped++;
            }
        }

        public void Add(string message)
        {
            Add(new BootWarning(message, null, 0, 0, 0, WarningValueFormat.Hex));
        }

        public void Add(string message, ulong value)
        {
            Add(new BootWarning(message, null, 1, value, 0, WarningValueFormat.Hex));
        }

        public void Add(string message, ulong first, ulong second)
        {
            Add(new BootWarning(message, null, 2, first, second, WarningValueFormat.Hex));
        }

        public void AddDecimal(string message, ulong value)
        {
            Add(new BootWarning(message, null, 1, value, 0, WarningValueFormat.Decimal));
        }

        /// <summary>A warning about the range [start, end).</summary>
        public void AddRange(string message, ulong start, ulong end)
        {
            Add(new BootWarning(message, null, 2, start, end, WarningValueFormat.Range));
        }

        /// <summary>A warning naming offending text; the bytes are copied.</summary>
        public void AddSubject(string message, ReadOnlySpan<byte> subject)
        {
            Add(new BootWarning(message, AsciiBytes.Copy(subject), 0, 0, 0, WarningValueFormat.Hex));
        }

        /// <summary>True when some warning carries exactly this message literal (compared by
        /// content, for tests and for callers that react to one specific problem).</summary>
        public bool Contains(string message)
        {
            for (int i = 0; i < count; i++)
            {
                if (SameText(items[i].Message, message))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Prints every warning as a Warning-level line, then how many were dropped.</summary>
        public void WriteTo(LogWriter log)
        {
            for (int i = 0; i < count; i++)
            {
                Write(log, items[i]);
            }

            if (dropped != 0)
            {
                log.Warning().Text("... and ").Dec((long)dropped).Text(" more warnings not kept").End();
            }
        }

        /// <summary>Prints one warning: <c>message 'subject' values</c>.</summary>
        public static void Write(LogWriter log, BootWarning warning)
        {
            LogLine line = log.Warning().Text(warning.Message);
            if (warning.Subject != null)
            {
                line = line.Text(" '").Text(warning.Subject).Text("'");
            }

            if (warning.ValueCount > 0)
            {
                if (warning.Format == WarningValueFormat.Range && warning.ValueCount == 2)
                {
                    line = line.Text(" [").Hex(warning.First).Text(", ").Hex(warning.Second).Text(")");
                }
                else if (warning.Format == WarningValueFormat.Decimal)
                {
                    line = line.Text(" ").Dec(warning.First);
                    if (warning.ValueCount > 1)
                    {
                        line = line.Text(" ").Dec(warning.Second);
                    }
                }
                else
                {
                    line = line.Text(" ").Hex(warning.First);
                    if (warning.ValueCount > 1)
                    {
                        line = line.Text(" ").Hex(warning.Second);
                    }
                }
            }

            line.End();
        }

        private static bool SameText(string a, string b)
        {
            if ((object)a == null || (object)b == null)
            {
                return false;
            }

            if (a.Length != b.Length)
            {
                return false;
            }

            for (int i = 0; i < a.Length; i++)
            {
                if (a[i] != b[i])
                {
                    return false;
                }
            }

            return true;
        }
    }
}
