using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// The credit scheduler's parameters as dom0's toolstack sets them. Per domain (XEN_DOMCTL_scheduler_op
    /// on the new domain): weight 256 and no cap to begin with; putinfo sets both, weight 0 and cap 0xFFFF
    /// leave them as they are, cap 0 takes the cap away; another scheduler's id, the per-vCPU commands
    /// (credit has no per-vCPU parameters) and an unknown command are -EINVAL. Globally
    /// (XEN_SYSCTL_scheduler_op on cpupool 0): a 30 ms slice to begin with; putinfo changes it and getinfo
    /// reads it back; a slice of 0 or above 1000 ms, a rate limit above the slice, another cpupool
    /// (-ESRCH) are refused; the slice is put back as it was.
    /// </summary>
    internal static unsafe class SchedulerTests
    {
        private const ushort DefaultWeight = 256;
        private const uint DefaultSliceMs = 30;

        public static void Run(TestSuite suite)
        {
            ushort peer = Toolstack.Peer;
            if (peer == 0)
                suite.Skip("domain_scheduler_op", "createdomain failed");
            else
                PerDomain(suite, peer);
            Global(suite);
        }

        private static void PerDomain(TestSuite suite, ushort peer)
        {
            long rc = DomainControl.GetCreditParameters(peer, out ushort weight, out ushort cap);
            suite.Result("scheduler_op_new_domain_weight_256_no_cap", rc == 0 && weight == DefaultWeight && cap == 0)
                .Text(" returned ").Result(rc).Text(", weight ").Dec(weight).Text(", cap ").Dec(cap).End();

            rc = DomainControl.SetCreditParameters(peer, 512, 25);
            long got = DomainControl.GetCreditParameters(peer, out weight, out cap);
            suite.Result("scheduler_op_putinfo_weight_and_cap", rc == 0 && got == 0 && weight == 512 && cap == 25)
                .Text(" put returned ").Result(rc).Text(", then weight ").Dec(weight).Text(", cap ").Dec(cap).End();

            rc = DomainControl.SetCreditParameters(peer, 0, 0xFFFF);
            got = DomainControl.GetCreditParameters(peer, out weight, out cap);
            suite.Result("scheduler_op_putinfo_zero_weight_all_ones_cap_change_nothing", rc == 0 && got == 0 && weight == 512 && cap == 25)
                .Text(" put returned ").Result(rc).Text(", then weight ").Dec(weight).Text(", cap ").Dec(cap).End();

            rc = DomainControl.SetCreditParameters(peer, 0, 0);
            got = DomainControl.GetCreditParameters(peer, out weight, out cap);
            suite.Result("scheduler_op_putinfo_cap_zero_removes_cap", rc == 0 && got == 0 && weight == 512 && cap == 0)
                .Text(" put returned ").Result(rc).Text(", then weight ").Dec(weight).Text(", cap ").Dec(cap).End();

            suite.Errno("scheduler_op_other_scheduler_id", XenErrno.EINVAL, Request(peer, SchedulerId.Credit2, SchedulerOpCommand.GetInfo));
            suite.Errno("scheduler_op_getvcpuinfo_credit", XenErrno.EINVAL, Request(peer, SchedulerId.Credit, SchedulerOpCommand.GetVcpuInfo));
            suite.Errno("scheduler_op_unknown_command", XenErrno.EINVAL, Request(peer, SchedulerId.Credit, 9));

            rc = DomainControl.SetCreditParameters(peer, DefaultWeight, 0);
            suite.Returns("scheduler_op_weight_back_to_default", 0, rc);
        }

        private static long Request(ushort domain, uint schedId, uint command)
        {
            XenDomctl op = DomainControl.Prepare(Abi.Domctl.SchedulerOp, domain);
            DomctlSchedulerOp* request = (DomctlSchedulerOp*)op.U;
            request->SchedId = schedId;
            request->Cmd = command;
            return Hypercalls.Domctl(&op);
        }

        private static void Global(TestSuite suite)
        {
            long rc = Global(0, SchedulerOpCommand.GetInfo, out SysctlSchedulerOp before, 0, 0, 0);
            suite.Result("sysctl_scheduler_op_slice_30ms", rc == 0 && before.TsliceMs == DefaultSliceMs)
                .Text(" returned ").Result(rc).Text(", tslice_ms ").Dec(before.TsliceMs).Text(", ratelimit_us ").Dec(before.RatelimitUs)
                .Text(", vcpu_migr_delay_us ").Dec(before.VcpuMigrDelayUs).End();
            if (rc != 0)
                return;

            rc = Global(0, SchedulerOpCommand.PutInfo, out _, 10, before.RatelimitUs, before.VcpuMigrDelayUs);
            long got = Global(0, SchedulerOpCommand.GetInfo, out SysctlSchedulerOp after, 0, 0, 0);
            suite.Result("sysctl_scheduler_op_putinfo_slice", rc == 0 && got == 0 && after.TsliceMs == 10)
                .Text(" put returned ").Result(rc).Text(", then tslice_ms ").Dec(after.TsliceMs).End();

            suite.Errno("sysctl_scheduler_op_slice_zero", XenErrno.EINVAL,
                        Global(0, SchedulerOpCommand.PutInfo, out _, 0, before.RatelimitUs, before.VcpuMigrDelayUs));
            suite.Errno("sysctl_scheduler_op_slice_above_1s", XenErrno.EINVAL,
                        Global(0, SchedulerOpCommand.PutInfo, out _, 1001, before.RatelimitUs, before.VcpuMigrDelayUs));
            // A 2 ms slice with a 5 ms rate limit: a vCPU could never be preempted at the end of its slice.
            suite.Errno("sysctl_scheduler_op_ratelimit_above_slice", XenErrno.EINVAL,
                        Global(0, SchedulerOpCommand.PutInfo, out _, 2, 5000, before.VcpuMigrDelayUs));
            suite.Errno("sysctl_scheduler_op_other_cpupool", XenErrno.ESRCH, Global(7, SchedulerOpCommand.GetInfo, out _, 0, 0, 0));

            rc = Global(0, SchedulerOpCommand.PutInfo, out _, before.TsliceMs, before.RatelimitUs, before.VcpuMigrDelayUs);
            got = Global(0, SchedulerOpCommand.GetInfo, out after, 0, 0, 0);
            suite.Result("sysctl_scheduler_op_put_back", rc == 0 && got == 0 && after.TsliceMs == before.TsliceMs
                                                         && after.RatelimitUs == before.RatelimitUs)
                .Text(" put returned ").Result(rc).Text(", then tslice_ms ").Dec(after.TsliceMs).Text(", ratelimit_us ").Dec(after.RatelimitUs).End();
        }

        private static long Global(uint cpupool, uint command, out SysctlSchedulerOp answer, uint sliceMs, uint rateLimitUs, uint migrationDelayUs)
        {
            XenSysctl op = SystemControl.Prepare(Sysctl.SchedulerOp);
            SysctlSchedulerOp* request = (SysctlSchedulerOp*)op.U;
            request->CpupoolId = cpupool;
            request->SchedId = SchedulerId.Credit;
            request->Cmd = command;
            request->TsliceMs = sliceMs;
            request->RatelimitUs = rateLimitUs;
            request->VcpuMigrDelayUs = migrationDelayUs;
            long rc = Hypercalls.Sysctl(&op);
            answer = *request;
            return rc;
        }
    }
}
