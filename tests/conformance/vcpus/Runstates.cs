using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>VCPUOP_get_runstate_info from vCPU 0, and waiting for a vCPU to reach a state.</summary>
    internal static unsafe class Runstates
    {
        public static long Get(uint vcpu, out VcpuRunstateInfo info)
        {
            VcpuRunstateInfo copy = default;
            long rc = Hypercalls.VcpuOp(VcpuOp.GetRunstateInfo, vcpu, &copy);
            info = copy;
            return rc;
        }

        /// <summary>Polls until <paramref name="vcpu"/> is in <paramref name="state"/> or
        /// <see cref="Secondaries.WaitNs"/> passed; the state last seen.</summary>
        public static int WaitFor(uint vcpu, int state)
        {
            ulong deadline = GuestClock.Now() + Secondaries.WaitNs;
            while (true)
            {
                Get(vcpu, out VcpuRunstateInfo info);
                if (info.State == state || GuestClock.Now() >= deadline)
                    return info.State;
                Secondaries.Sleep(Secondaries.SliceNs);
            }
        }

        public static ulong Sum(VcpuRunstateInfo* info)
        {
            ulong sum = 0;
            for (int i = 0; i < VcpuRunstate.Count; i++)
                sum += info->Time[i];
            return sum;
        }

        public static string Name(int state)
        {
            switch (state)
            {
                case VcpuRunstate.Running: return "running";
                case VcpuRunstate.Runnable: return "runnable";
                case VcpuRunstate.Blocked: return "blocked";
                case VcpuRunstate.Offline: return "offline";
                default: return "unknown";
            }
        }

        /// <summary>" state S, entered at T, times running/runnable/blocked/offline ms".</summary>
        public static ConsoleLine Describe(ConsoleLine line, VcpuRunstateInfo* info)
        {
            return line.Text(" state ").Text(Name(info->State)).Text(", entered at ").Dec(info->StateEntryTime / 1000000).Text(" ms, times ")
                .Dec(info->Time[0] / 1000000).Char('/').Dec(info->Time[1] / 1000000).Char('/').Dec(info->Time[2] / 1000000)
                .Char('/').Dec(info->Time[3] / 1000000).Text(" ms");
        }
    }
}
