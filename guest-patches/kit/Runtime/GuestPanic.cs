using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>Where the runtime's fail-fast ends in a guest: a console line, then a crash shutdown.</summary>
    public static class GuestPanic
    {
        public static void OnRuntimeFailure(string reason)
        {
            GuestConsole.Flush();
            GuestConsole.Line().Text("kit: fatal: ").Text(reason).End();
            GuestShutdown.Shutdown(ShutdownReason.Crash);
        }

        /// <summary>A guest's own fatal error.</summary>
        public static void Fail(string reason) => OnRuntimeFailure(reason);
    }
}
