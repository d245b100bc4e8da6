using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// The shutdown reasons other than power-off end the run the harness watches, so they are not
    /// tests of the suite: with <c>shutdown=reboot</c> or <c>shutdown=crash</c> on its command line the
    /// kernel only says so and shuts down with that reason, and the integration tests
    /// (ShutdownReasonTests) check what each hypervisor did with it.
    /// </summary>
    internal static unsafe class ShutdownRequest
    {
        /// <summary>The reason asked for on the command line, or false when there is none.</summary>
        public static bool TryGet(out uint reason)
        {
            reason = ShutdownReason.Poweroff;
            if (!KernelCommandLine.TryGetValue("shutdown", out byte* value, out int length))
                return false;
            if (Ascii.Equals(value, length, "reboot"))
                reason = ShutdownReason.Reboot;
            else if (Ascii.Equals(value, length, "crash"))
                reason = ShutdownReason.Crash;
            else if (Ascii.Equals(value, length, "poweroff"))
                reason = ShutdownReason.Poweroff;
            else
                return false;
            return true;
        }

        /// <summary>Shuts down with <paramref name="reason"/>; returns only if sched_op failed.</summary>
        public static long Shutdown(uint reason)
        {
            GuestConsole.Line().Text("sched_op: shutting down with reason ").Dec(reason).End();
            GuestConsole.Flush();
            return Hypercalls.Shutdown(reason);
        }
    }
}
