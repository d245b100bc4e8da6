using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// What domctl and sysctl judge before any command: the struct is copied in whole (-EFAULT when it
    /// cannot be), its interface version must be 0x15 (-EACCES for an older or newer one), a domctl's
    /// domain must exist (-ESRCH, even for a command that does not exist) and an unknown command is
    /// -ENOSYS. Then physinfo and sched_id (credit: the harness boots Xen with sched=credit).
    /// </summary>
    internal static unsafe class VersionTests
    {
        public const uint UnknownCommand = 999;

        public static void Run(TestSuite suite)
        {
            XenDomctl op = DomainControl.Prepare(Domctl.GetDomainInfo, 0);
            op.InterfaceVersion = Domctl.InterfaceVersion - 1;
            suite.Errno("domctl_old_interface_version", XenErrno.EACCES, Hypercalls.Domctl(&op));
            op = DomainControl.Prepare(Domctl.GetDomainInfo, 0);
            op.InterfaceVersion = Domctl.InterfaceVersion + 1;
            suite.Errno("domctl_newer_interface_version", XenErrno.EACCES, Hypercalls.Domctl(&op));
            op = DomainControl.Prepare(UnknownCommand, 0);
            suite.Errno("domctl_unknown_command", XenErrno.ENOSYS, Hypercalls.Domctl(&op));
            op = DomainControl.Prepare(UnknownCommand, Toolstack.AboveEveryDomain);
            suite.Errno("domctl_unknown_command_absent_domain", XenErrno.ESRCH, Hypercalls.Domctl(&op));
            suite.Errno("domctl_pause_absent_domain", XenErrno.ESRCH, DomainControl.Pause(Toolstack.AboveEveryDomain));
            suite.Errno("domctl_unreadable", XenErrno.EFAULT, Hypercalls.Domctl((XenDomctl*)0x1000));
            op = DomainControl.Prepare(UnknownCommand, 0);
            op.InterfaceVersion = 0;
            suite.Errno("domctl_version_before_command", XenErrno.EACCES, Hypercalls.Domctl(&op));

            XenSysctl sys = SystemControl.Prepare(Sysctl.Physinfo);
            sys.InterfaceVersion = Sysctl.InterfaceVersion - 1;
            suite.Errno("sysctl_old_interface_version", XenErrno.EACCES, Hypercalls.Sysctl(&sys));
            sys = SystemControl.Prepare(Sysctl.Physinfo);
            sys.InterfaceVersion = Sysctl.InterfaceVersion + 1;
            suite.Errno("sysctl_newer_interface_version", XenErrno.EACCES, Hypercalls.Sysctl(&sys));
            sys = SystemControl.Prepare(UnknownCommand);
            suite.Errno("sysctl_unknown_command", XenErrno.ENOSYS, Hypercalls.Sysctl(&sys));
            suite.Errno("sysctl_unreadable", XenErrno.EFAULT, Hypercalls.Sysctl((XenSysctl*)0x1000));

            long rc = SystemControl.Physinfo(out SysctlPhysinfo info);
            bool ok = rc == 0 && info.NrCpus >= 1 && info.TotalPages > 0 && info.FreePages > 0 && info.FreePages <= info.TotalPages
                      && (info.Capabilities & PhysinfoCapabilities.Pv) != 0;
            suite.Result("sysctl_physinfo", ok).Text(" returned ").Result(rc).Text(": cpus ").Dec(info.NrCpus)
                .Text(", total_pages ").Dec(info.TotalPages).Text(", free_pages ").Dec(info.FreePages)
                .Text(", max_mfn ").Hex(info.MaxMfn).Text(", capabilities ").Hex(info.Capabilities).End();
            Toolstack.FreePagesBefore = info.FreePages;
            Toolstack.HaveFreePagesBefore = rc == 0;

            sys = SystemControl.Prepare(Sysctl.SchedId);
            rc = Hypercalls.Sysctl(&sys);
            uint id = *(uint*)sys.U;
            suite.Result("sysctl_sched_id_credit", rc == 0 && id == SchedulerId.Credit)
                .Text(" returned ").Result(rc).Text(", sched_id ").Dec(id).End();
        }
    }
}
