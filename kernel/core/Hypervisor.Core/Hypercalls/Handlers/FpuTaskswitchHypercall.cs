using Hypervisor.Core.Domains;

namespace Hypervisor.Core.Hypercalls.Handlers
{
    /// <summary>fpu_taskswitch(set): sets (non-zero) or clears the guest's virtual CR0.TS, so its next
    /// FPU/SSE instruction raises #NM in the guest: the lazy FPU switch a kernel in ring 3 cannot do
    /// with CLTS itself.</summary>
    public static class FpuTaskswitchHypercall
    {
        public static long Handle(Vcpu vcpu, in HypercallArguments args)
        {
            // Only the low 32 bits count (Xen's "int set"). The arch layer sets CR0.TS on resume while
            // TaskSwitched holds; the #NM exit clears it again, as the CPU would.
            vcpu.TaskSwitched = (int)(uint)args.A1 != 0;
            return 0;
        }
    }
}
