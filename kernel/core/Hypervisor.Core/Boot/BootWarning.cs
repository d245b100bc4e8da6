namespace Hypervisor.Core.Boot
{
    /// <summary>How a warning's numbers are shown.</summary>
    public enum WarningValueFormat
    {
        /// <summary>Each value as <c>0x</c> + 16 hex digits (addresses).</summary>
        Hex = 0,

        /// <summary>Each value in decimal (counts, type numbers).</summary>
        Decimal = 1,

        /// <summary>Two values shown as the range <c>[first, second)</c>.</summary>
        Range = 2,
    }

    /// <summary>
    /// A problem found while reading what firmware handed us. Start-of-day code cannot format text, so
    /// a warning is a fixed message literal, optionally the offending bytes (an option name, a table
    /// signature) and up to two numbers; the caller prints it with the log once logging is set up.
    /// </summary>
    public struct BootWarning
    {
        public string Message;

        /// <summary>Offending text copied from firmware (may be null).</summary>
        public byte[] Subject;

        /// <summary>How many of <see cref="First"/> and <see cref="Second"/> are meaningful (0..2).</summary>
        public int ValueCount;

        public ulong First;
        public ulong Second;
        public WarningValueFormat Format;

        public BootWarning(string message, byte[] subject, int valueCount, ulong first, ulong second, WarningValueFormat format)
        {
            Message = message;
            Subject = subject;
            ValueCount = valueCount;
            First = first;
            Second = second;
            Format = format;
        }
    }
}
