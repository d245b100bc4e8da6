using Hypervisor.Abi;
using Hypervisor.Conformance;

namespace Hypervisor.Guest
{
    /// <summary>The sched_op suite's kernel. The power-off at its end is the shutdown the harness sees;
    /// with shutdown=reboot|crash it only shuts down with that reason (see ShutdownRequest).</summary>
    internal static unsafe class GuestProgram
    {
        public static uint Main(StartInfo* start)
        {
            if (ShutdownRequest.TryGet(out uint reason))
            {
                long rc = ShutdownRequest.Shutdown(reason);
                GuestConsole.Line().Text("sched_op: shutdown returned ").Result(rc).End();
                return ShutdownReason.Crash;
            }
            var suite = new TestSuite("sched_op");
            suite.Returns("callbacks_registered", 0, GuestCallbacks.Register());
            SimpleCommandTests.Run(suite);
            PollTests.Run(suite);
            BlockTests.Run(suite);
            return suite.Finish();
        }
    }
}
