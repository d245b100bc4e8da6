using Hypervisor.Abi;
using Hypervisor.Conformance;

namespace Hypervisor.Guest
{
    /// <summary>
    /// The time suite's kernel (dom0, one vCPU): the clock (vcpu_time_info, the wall clock) first, then
    /// the timers on vCPU 0's VIRQ_TIMER port. The default 100 Hz periodic timer is counted before
    /// anything stops it; the one-shot tests run with it stopped. Events stay masked except while ticks
    /// are counted through the upcall.
    /// </summary>
    internal static unsafe class GuestProgram
    {
        public static uint Main(StartInfo* start)
        {
            var suite = new TestSuite("time");
            if (!suite.Check("shared_info_mapped", SharedInfoPage.Get() != null, "update_va_mapping of shared info failed"))
                return suite.Finish();
            suite.Returns("callbacks_registered", 0, GuestCallbacks.Register());
            TimeInfoTests.Run(suite);
            WallClockTests.Run(suite);
            TimeAreaTests.Run(suite);

            long port = TimerPort.Bind();
            suite.Result("bind_virq_timer", port > 0).Text(" port ").Result(port).End();
            if (port <= 0)
                return suite.Finish();
            PeriodicTimerTests.RunDefault(suite);
            suite.Returns("stop_default_periodic", 0, Hypercalls.VcpuOp(VcpuOp.StopPeriodicTimer, 0, null));
            TimerPort.Clear();
            SetTimerOpTests.Run(suite);
            SingleshotTimerTests.Run(suite);
            UpcallTests.Run(suite);
            PeriodicTimerTests.Run(suite);
            ErrorTests.Run(suite);
            return suite.Finish();
        }
    }
}
