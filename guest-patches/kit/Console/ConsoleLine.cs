namespace Hypervisor.Guest
{
    /// <summary>
    /// A chainable writer for one console line (see <see cref="GuestConsole.Line"/>). It holds no state:
    /// every call appends to the console's line buffer, and <see cref="End"/> sends the line.
    /// </summary>
    public readonly unsafe struct ConsoleLine
    {
        public ConsoleLine Text(string text) { GuestConsole.Write(text); return this; }
        public ConsoleLine Char(char c) { GuestConsole.Write(c); return this; }
        public ConsoleLine Bytes(byte* text, int length) { GuestConsole.Write(text, length); return this; }
        public ConsoleLine Asciiz(byte* text, int max) { GuestConsole.WriteAsciiz(text, max); return this; }
        public ConsoleLine Dec(ulong value) { GuestConsole.WriteDec(value); return this; }
        public ConsoleLine Signed(long value) { GuestConsole.WriteSigned(value); return this; }
        public ConsoleLine Hex(ulong value) { GuestConsole.WriteHex(value); return this; }
        public ConsoleLine Hex(ulong value, int digits) { GuestConsole.WriteHex(value, digits); return this; }
        public ConsoleLine HexDigits(ulong value, int digits) { GuestConsole.WriteHexDigits(value, digits); return this; }
        public ConsoleLine Result(long result) { GuestConsole.WriteResult(result); return this; }

        /// <summary>A grant operation's status: "-3 (GNTST_bad_gntref)".</summary>
        public ConsoleLine GrantStatus(long status)
        {
            GuestConsole.WriteSigned(status);
            string name = GrantStatusNames.Find(status);
            if (name != null)
            {
                GuestConsole.Write(" (");
                GuestConsole.Write(name);
                GuestConsole.Write(')');
            }
            return this;
        }

        /// <summary>A quoted string of bytes, e.g. a command line.</summary>
        public ConsoleLine Quoted(byte* text, int length)
        {
            GuestConsole.Write('"');
            GuestConsole.Write(text, length);
            GuestConsole.Write('"');
            return this;
        }

        public void End() => GuestConsole.WriteLine();
    }
}
