using Hypervisor.Core.Text;

namespace Hypervisor.Core.Domains
{
    /// <summary>Reports what a guest did wrong, naming the domain, the vCPU, the problem and where,
    /// before the domain is crashed. These lines are the only trace a crashed guest leaves.</summary>
    public static class GuestFault
    {
        public static void Report(Vcpu vcpu, string problem, ulong address)
        {
            Begin(vcpu).Text(problem).Text(" (at ").Hex(address).Text(")").Text(", RIP ").Hex(vcpu.Registers.Rip).End();
        }

        /// <summary>Starts an error line "domain N vCPU M: ..." for details the caller adds.</summary>
        public static LogLine Begin(Vcpu vcpu)
        {
            return vcpu.Domain.Host.Log.Error().Text("domain ").Dec((ulong)vcpu.Domain.Id).Text(" vCPU ").Dec((ulong)vcpu.Id).Text(": ");
        }
    }
}
