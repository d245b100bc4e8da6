using System;
using System.Collections.Generic;
using System.Text;
using System.Text.RegularExpressions;

namespace Hypervisor.Tool.Machines
{
    /// <summary>
    /// Splits a serial byte stream into lines (on LF) and cleans them for matching: firmware and GRUB
    /// paint the console with ANSI escape sequences and carriage returns, so a hypervisor line may
    /// arrive as "ESC[0m\r(HV) ...". The cleaned text is what a terminal would show.
    /// </summary>
    public sealed class SerialDecoder
    {
        private static readonly Regex Escape = new Regex(
            @"\x1B(\[[0-9;?]*[ -/]*[@-~]|\][^\x07\x1B]*(\x07|\x1B\\)?|[()*+][ -~]|[ -~])",
            RegexOptions.Compiled | RegexOptions.CultureInvariant);

        private readonly List<byte> pending = new List<byte>();

        /// <summary>Feeds bytes; returns the completed lines as (raw, text) pairs.</summary>
        public IReadOnlyList<(string Raw, string Text)> Feed(ReadOnlySpan<byte> data)
        {
            List<(string, string)> done = null;
            foreach (byte b in data)
            {
                if (b == (byte)'\n')
                {
                    done ??= new List<(string, string)>();
                    done.Add(Complete());
                }
                else
                {
                    pending.Add(b);
                }
            }
            return (IReadOnlyList<(string, string)>)done ?? Array.Empty<(string, string)>();
        }

        /// <summary>Returns the unterminated last line, if any (at end of stream).</summary>
        public (string Raw, string Text)? Flush()
        {
            if (pending.Count == 0)
                return null;
            return Complete();
        }

        private (string Raw, string Text) Complete()
        {
            string raw = Encoding.UTF8.GetString(pending.ToArray());
            pending.Clear();
            return (raw.TrimEnd('\r'), Clean(raw));
        }

        /// <summary>What a terminal shows for one line of output.</summary>
        public static string Clean(string raw)
        {
            string s = Escape.Replace(raw, string.Empty);
            s = s.TrimEnd('\r');
            int cr = s.LastIndexOf('\r');
            if (cr >= 0)
                s = s.Substring(cr + 1);
            var sb = new StringBuilder(s.Length);
            foreach (char c in s)
            {
                if (c == '\t' || c >= ' ' && c != '\x7F')
                    sb.Append(c);
            }
            return sb.ToString();
        }
    }
}
