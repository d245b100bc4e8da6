using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// SCHEDOP_poll (events stay masked): returns 0 at once when a polled port is pending, 0 after the
    /// timeout (absolute system time) when none becomes pending; -EINVAL for more than 128 ports or a
    /// port beyond the 2-level limit, -EFAULT for an unreadable argument or port list.
    /// </summary>
    internal static unsafe class PollTests
    {
        private const ulong Timeout = 2000000;   // ns

        public static void Run(TestSuite suite)
        {
            long port = EventChannels.BindIpi(0);
            if (port <= 0)
            {
                suite.Skip("poll", "bind_ipi returned " + "an error");
                return;
            }
            uint* ports = stackalloc uint[1];
            ports[0] = (uint)port;
            SchedPoll poll;
            poll.Ports = (ulong)ports;
            poll.NrPorts = 1;

            EventChannels.ClearPending((uint)port);
            ulong start = GuestClock.Now();
            poll.Timeout = start + Timeout;
            long rc = Hypercalls.SchedOp(SchedOp.Poll, &poll);
            ulong end = GuestClock.Now();
            suite.Result("poll_times_out", rc == 0 && end >= start + Timeout)
                .Text(" returned ").Result(rc).Text(" after ").Dec((end - start) / 1000).Text(" us (timeout ").Dec(Timeout / 1000).Text(" us)").End();

            EventChannels.Send((uint)port);
            start = GuestClock.Now();
            poll.Timeout = start + 1000000000UL;
            rc = Hypercalls.SchedOp(SchedOp.Poll, &poll);
            end = GuestClock.Now();
            suite.Result("poll_pending_port_returns", rc == 0 && end - start < 500000000UL)
                .Text(" returned ").Result(rc).Text(" after ").Dec((end - start) / 1000).Text(" us").End();
            EventChannels.ClearPending((uint)port);

            poll.NrPorts = 129;
            suite.Errno("poll_too_many_ports", XenErrno.EINVAL, Hypercalls.SchedOp(SchedOp.Poll, &poll));
            ports[0] = 5000;
            poll.NrPorts = 1;
            poll.Timeout = GuestClock.Now() + Timeout;
            suite.Errno("poll_port_out_of_range", XenErrno.EINVAL, Hypercalls.SchedOp(SchedOp.Poll, &poll));
            poll.Ports = 0x1000;
            suite.Errno("poll_unreadable_ports", XenErrno.EFAULT, Hypercalls.SchedOp(SchedOp.Poll, &poll));
            suite.Errno("poll_unreadable_argument", XenErrno.EFAULT, Hypercalls.SchedOp(SchedOp.Poll, (void*)0x1000));
            EventChannels.Close((uint)port);
        }
    }
}
