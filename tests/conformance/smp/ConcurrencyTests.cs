using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// The two vCPUs run at the same time, on two CPUs: while this vCPU runs without a break (its
    /// successive readings of system time are never more than <see cref="MaxGap"/> apart, so it was
    /// never descheduled), the other one's counter moves; each sees the other's runstate as running;
    /// domctl getvcpuinfo reports both running, on different CPUs.
    /// </summary>
    internal static unsafe class ConcurrencyTests
    {
        private const ulong Window = 2_000_000;      // ns of unbroken running per attempt
        private const ulong MaxGap = 200_000;        // ns: a longer gap means this vCPU was descheduled
        private const int Attempts = 1500;    // about 3 s: a busy host may not run both emulated CPUs at every moment

        public static void Run(TestSuite suite)
        {
            suite.Check("second_vcpu_spins", SecondVcpu.SetMode(SecondVcpu.Spin), "it did not take the SPIN mode");
            BothRunAtOnce(suite);
            Runstates(suite);
            VcpuInfo(suite);
        }

        private static void BothRunAtOnce(TestSuite suite)
        {
            ulong progress = 0, gap = 0;
            int attempt;
            for (attempt = 1; attempt <= Attempts; attempt++)
            {
                ulong before = SecondVcpu.Block->Spins;
                ulong start = GuestClock.Now(), last = start, widest = 0;
                while (last - start < Window)
                {
                    ulong now = GuestClock.Now();
                    if (now - last > widest)
                        widest = now - last;
                    last = now;
                }
                progress = SecondVcpu.Block->Spins - before;
                gap = widest;
                if (widest <= MaxGap && progress != 0)
                    break;
            }
            suite.Result("both_vcpus_run_at_once", attempt <= Attempts)
                .Text(" vCPU 1 counted ").Dec(progress).Text(" while vCPU 0 ran ").Dec(Window / 1000).Text(" us without a gap over ")
                .Dec(gap / 1000).Text(" us (attempt ").Dec((ulong)attempt).Text(")").End();
        }

        private static void Runstates(TestSuite suite)
        {
            suite.Returns("runstate_self_running", VcpuRunstate.Running, SecondVcpu.RunstateOf(0));
            suite.Returns("runstate_other_running", VcpuRunstate.Running, SecondVcpu.RunstateOf(SecondVcpu.Id));
        }

        private static void VcpuInfo(TestSuite suite)
        {
            DomctlGetVcpuInfo first, second;
            long rc0 = GetVcpuInfo(0, out first);
            long rc1 = GetVcpuInfo(SecondVcpu.Id, out second);
            if (!suite.Returns("getvcpuinfo", 0, rc0 != 0 ? rc0 : rc1))
                return;
            suite.Check("getvcpuinfo_both_running", first.Running == 1 && second.Running == 1 && first.Online == 1 && second.Online == 1,
                "running/online flags are not both 1");
            suite.Result("getvcpuinfo_cpus_differ", first.Cpu != second.Cpu)
                .Text(" vCPU 0 on CPU ").Dec(first.Cpu).Text(", vCPU 1 on CPU ").Dec(second.Cpu).End();
        }

        private static long GetVcpuInfo(uint vcpu, out DomctlGetVcpuInfo info)
        {
            XenDomctl op = default;
            op.Cmd = Domctl.GetVcpuInfo;
            op.InterfaceVersion = Domctl.InterfaceVersion;
            op.Domain = 0;
            ((DomctlGetVcpuInfo*)op.U)->Vcpu = vcpu;
            long rc = Hypercalls.Raw(HypercallNumber.Domctl, (ulong)&op, 0, 0);
            info = *(DomctlGetVcpuInfo*)op.U;
            return rc;
        }
    }
}
