namespace Hypervisor.Core.Boot
{
    /// <summary>What a multiboot parser found: the boot information (always present, possibly partial),
    /// the warnings, and on failure a fixed reason with one value (the bad magic, an address...).</summary>
    public sealed class BootParseResult
    {
        internal BootParseResult(BootInfo info, BootWarningList warnings)
        {
            Info = info;
            Warnings = warnings;
            Succeeded = true;
        }

        public bool Succeeded { get; private set; }

        /// <summary>Why parsing failed (a literal), or null on success.</summary>
        public string FailureReason { get; private set; }

        /// <summary>The number that goes with <see cref="FailureReason"/>.</summary>
        public ulong FailureValue { get; private set; }

        public BootInfo Info { get; private set; }

        public BootWarningList Warnings { get; private set; }

        internal BootParseResult Fail(string reason, ulong value)
        {
            Succeeded = false;
            FailureReason = reason;
            FailureValue = value;
            Info.Seal();
            return this;
        }
    }
}
