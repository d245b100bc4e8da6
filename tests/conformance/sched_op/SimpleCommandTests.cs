using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// The sched_op commands that return at once: yield (also through sched_op_compat), shutdown_code
    /// with the reason this suite ends with anyway (power-off), a watchdog created and removed, remote
    /// shutdown of a domain that does not exist; and the errors: unknown commands -ENOSYS, unreadable
    /// arguments -EFAULT (shutdown included: the guest goes on), an unknown watchdog -EINVAL.
    /// </summary>
    internal static unsafe class SimpleCommandTests
    {
        private const ulong Unmapped = 0x1000;

        public static void Run(TestSuite suite)
        {
            suite.Returns("yield", 0, Hypercalls.Yield());
            suite.Returns("compat_yield", 0, Hypercalls.SchedOpCompat(SchedOp.Yield, 0));
            suite.Errno("unknown_command", XenErrno.ENOSYS, Hypercalls.SchedOp(99, null));
            suite.Errno("unknown_command_negative", XenErrno.ENOSYS, Hypercalls.SchedOp(-1, null));
            suite.Errno("compat_unknown_command", XenErrno.ENOSYS, Hypercalls.SchedOpCompat(99, 0));

            SchedShutdown code;
            code.Reason = ShutdownReason.Poweroff;
            suite.Returns("shutdown_code_poweroff", 0, Hypercalls.SchedOp(SchedOp.ShutdownCode, &code));
            suite.Errno("shutdown_code_unreadable", XenErrno.EFAULT, Hypercalls.SchedOp(SchedOp.ShutdownCode, (void*)Unmapped));
            suite.Errno("shutdown_unreadable", XenErrno.EFAULT, Hypercalls.SchedOp(SchedOp.Shutdown, (void*)Unmapped));
            suite.Errno("shutdown_null", XenErrno.EFAULT, Hypercalls.SchedOp(SchedOp.Shutdown, null));

            SchedWatchdog watchdog;
            watchdog.Id = 0;
            watchdog.Timeout = 600;
            long id = Hypercalls.SchedOp(SchedOp.Watchdog, &watchdog);
            suite.Result("watchdog_create", id >= 1).Text(" returned ").Result(id).Text(" (expected a watchdog id from 1)").End();
            if (id >= 1)
            {
                watchdog.Id = (uint)id;
                watchdog.Timeout = 0;
                suite.Returns("watchdog_remove", 0, Hypercalls.SchedOp(SchedOp.Watchdog, &watchdog));
            }
            else
            {
                suite.Skip("watchdog_remove", "no watchdog was created");
            }
            watchdog.Id = 99;
            watchdog.Timeout = 0;
            suite.Errno("watchdog_unknown_id", XenErrno.EINVAL, Hypercalls.SchedOp(SchedOp.Watchdog, &watchdog));
            suite.Errno("watchdog_unreadable", XenErrno.EFAULT, Hypercalls.SchedOp(SchedOp.Watchdog, (void*)Unmapped));

            SchedRemoteShutdown remote;
            remote.DomainId = 42;
            remote.Reason = ShutdownReason.Poweroff;
            suite.Errno("remote_shutdown_no_such_domain", XenErrno.ESRCH, Hypercalls.SchedOp(SchedOp.RemoteShutdown, &remote));
            suite.Errno("remote_shutdown_unreadable", XenErrno.EFAULT, Hypercalls.SchedOp(SchedOp.RemoteShutdown, (void*)Unmapped));
        }
    }
}
