using System;
using System.Collections.Generic;
using Hypervisor.Tool.Machines;

namespace Hypervisor.Tool.Guests
{
    /// <summary>How a guest run ended.</summary>
    public enum GuestRunEnd
    {
        /// <summary>The guest printed its summary line (a conformance suite completed).</summary>
        Summary,

        /// <summary>The domain shut down (powered off, rebooted) without a summary.</summary>
        Shutdown,

        /// <summary>The domain crashed (a fatal trap, a kit failure, the hypervisor killed it).</summary>
        Crashed,

        /// <summary>The hypervisor did not run the guest: it refused it or panicked.</summary>
        Refused,

        /// <summary>Nothing ended the run in time.</summary>
        Timeout,

        /// <summary>The emulator stopped without any of the above.</summary>
        EmulatorExit,
    }

    /// <summary>The outcome of one guest run: how it ended, in words, and everything the guest said.</summary>
    public sealed class GuestRunResult
    {
        public GuestHost Host { get; init; }
        public GuestRunEnd End { get; init; }

        /// <summary>One line for people: "powered off", "timeout after 120 s (last line: ...)",
        /// "the hypervisor refused it: ...".</summary>
        public string Reason { get; init; }

        public bool HasSummary { get; init; }
        public int Passed { get; init; }
        public int Failed { get; init; }
        public int Skipped { get; init; }
        public IReadOnlyList<TestResult> Tests { get; init; }
        public IReadOnlyList<SerialLine> Lines { get; init; }
        public TimeSpan Elapsed { get; init; }

        /// <summary>The emulator's command, exit status and diagnostics, for failure reports.</summary>
        public string Transcript { get; init; }

        /// <summary>How the domain ended according to the hypervisor ("powered off", "crashed"), if it said.</summary>
        public string DomainEnd { get; init; }
    }
}
