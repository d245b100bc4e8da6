using System;

namespace Hypervisor.Tool.Machines
{
    /// <summary>One line of a machine's serial console.</summary>
    /// <param name="Index">Position in the machine's line list (0-based).</param>
    /// <param name="Time">When the line was complete, relative to the emulator's process start.</param>
    /// <param name="Text">The line as a terminal would show it: no CR/LF, no ANSI escape sequences,
    /// and when the line contains carriage returns, only the text after the last one.</param>
    /// <param name="Raw">The bytes of the line (decoded as UTF-8) without the final LF.</param>
    public sealed record SerialLine(int Index, TimeSpan Time, string Text, string Raw)
    {
        public override string ToString() => $"[{Time.TotalSeconds,8:0.000}] {Text}";
    }
}
