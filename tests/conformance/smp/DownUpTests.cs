using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>VCPUOP_down of the other, running vCPU stops it (its counter stands still, its runstate
    /// is offline); VCPUOP_up starts it again where it was.</summary>
    internal static unsafe class DownUpTests
    {
        public static void Run(TestSuite suite)
        {
            SecondVcpuBlock* block = SecondVcpu.Block;
            suite.Check("second_vcpu_spins_before_down", SecondVcpu.SetMode(SecondVcpu.Spin), "it did not take the SPIN mode");
            suite.Returns("down_other_vcpu", 0, Hypercalls.VcpuOp(VcpuOp.Down, SecondVcpu.Id, null));
            suite.Returns("is_up_after_down", 0, SecondVcpu.IsUp());
            Wait(20_000_000);
            ulong before = block->Spins;
            Wait(50_000_000);
            ulong after = block->Spins;
            suite.Result("down_vcpu_stands_still", after == before).Text(" counted ").Dec(after - before).Text(" in 50 ms").End();
            suite.Returns("runstate_after_down", VcpuRunstate.Offline, SecondVcpu.RunstateOf(SecondVcpu.Id));
            suite.Returns("up_again", 0, Hypercalls.VcpuOp(VcpuOp.Up, SecondVcpu.Id, null));
            ulong took = SecondVcpu.WaitForChange(&block->Spins, after, 1_000_000_000);
            suite.Check("vcpu_runs_again_after_up", took != ulong.MaxValue, "its counter did not move within 1 s");
        }

        private static void Wait(ulong ns)
        {
            ulong end = GuestClock.Now() + ns;
            while (GuestClock.Now() < end)
            {
            }
        }
    }
}
