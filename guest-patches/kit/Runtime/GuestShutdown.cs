using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>The end of a guest: sched_op shutdown with a reason (<see cref="ShutdownReason"/>).</summary>
    public static class GuestShutdown
    {
        public static void PowerOff() => Shutdown(ShutdownReason.Poweroff);
        public static void Reboot() => Shutdown(ShutdownReason.Reboot);
        public static void Crash() => Shutdown(ShutdownReason.Crash);

        /// <summary>Sends what the console holds, then asks the hypervisor to stop the domain. Does not
        /// return: if the hypercall fails, the kit says so and yields for ever.</summary>
        public static void Shutdown(uint reason)
        {
            GuestConsole.Flush();
            long rc = Hypercalls.Shutdown(reason);
            GuestConsole.Line().Text("kit: sched_op shutdown (reason ").Dec(reason).Text(") returned ").Result(rc).Text("; yielding for ever").End();
            while (true)
                Hypercalls.Yield();
        }
    }
}
