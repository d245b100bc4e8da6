using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// The timer commands' errors with Xen's errnos: a vCPU the domain does not have is -ENOENT for every
    /// timer command; an unreadable argument is -EFAULT; a period past
    /// STIME_DELTA_MAX is -EINVAL; the stop commands ignore their argument.
    /// </summary>
    internal static unsafe class ErrorTests
    {
        private const uint AbsentVcpu = 63;   // dom0 has as many vCPUs as the machine has CPUs, at most a few
        private const ulong Unmapped = 0x1000;

        public static void Run(TestSuite suite)
        {
            VcpuSetPeriodicTimer periodic;
            periodic.PeriodNs = 10000000UL;
            VcpuSetSingleshotTimer single = default;
            single.TimeoutAbsNs = GuestClock.Now() + 1000000000UL;
            suite.Errno("set_periodic_absent_vcpu", XenErrno.ENOENT, Hypercalls.VcpuOp(VcpuOp.SetPeriodicTimer, AbsentVcpu, &periodic));
            suite.Errno("stop_periodic_absent_vcpu", XenErrno.ENOENT, Hypercalls.VcpuOp(VcpuOp.StopPeriodicTimer, AbsentVcpu, null));
            suite.Errno("set_singleshot_absent_vcpu", XenErrno.ENOENT, Hypercalls.VcpuOp(VcpuOp.SetSingleshotTimer, AbsentVcpu, &single));
            suite.Errno("stop_singleshot_absent_vcpu", XenErrno.ENOENT, Hypercalls.VcpuOp(VcpuOp.StopSingleshotTimer, AbsentVcpu, null));
            suite.Errno("set_periodic_vcpu_id_huge", XenErrno.ENOENT, Hypercalls.VcpuOp(VcpuOp.SetPeriodicTimer, 0x7FFFFFFF, &periodic));

            suite.Errno("set_periodic_unreadable", XenErrno.EFAULT, Hypercalls.VcpuOp(VcpuOp.SetPeriodicTimer, 0, (void*)Unmapped));
            suite.Errno("set_singleshot_unreadable", XenErrno.EFAULT, Hypercalls.VcpuOp(VcpuOp.SetSingleshotTimer, 0, (void*)Unmapped));

            periodic.PeriodNs = 0x4000000000000000UL;
            suite.Errno("period_beyond_stime_delta_max_einval", XenErrno.EINVAL, Hypercalls.VcpuOp(VcpuOp.SetPeriodicTimer, 0, &periodic));

            suite.Returns("stop_periodic_ignores_argument", 0, Hypercalls.VcpuOp(VcpuOp.StopPeriodicTimer, 0, (void*)Unmapped));
            suite.Returns("stop_singleshot_ignores_argument", 0, Hypercalls.VcpuOp(VcpuOp.StopSingleshotTimer, 0, (void*)Unmapped));
            Hypercalls.VcpuOp(VcpuOp.StopPeriodicTimer, 0, null);
            TimerPort.Clear();
        }
    }
}
