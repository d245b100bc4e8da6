using Hypervisor.Abi;
using Hypervisor.Core.Hypercalls.Handlers;
using Hypervisor.Core.Text;

namespace Hypervisor.Core.Domains
{
    /// <summary>How a domain stops: by asking (sched_op shutdown) or by being crashed for a fault it
    /// could not handle. Either way the reason is reported with the domain's name, and the arch layer
    /// stops running its vCPUs once <see cref="Domain.IsAlive"/> is false.</summary>
    public static class DomainLifecycle
    {
        public static void Shutdown(Domain domain, uint reason)
        {
            if (!domain.IsAlive)
                return;
            if (domain.ConsoleLineLength != 0)
                ConsoleIoHypercall.FlushLine(domain);
            domain.State = DomainState.ShutDown;
            domain.ShutdownReason = (int)reason;
            LogLine line = domain.Host.Log.Info().Text("domain ").Dec((ulong)domain.Id).Text(" shut down: ");
            DescribeReason(line, reason).End();
            DomainDestruction.NotifyControlDomain(domain);
        }

        /// <summary>Crashes a domain; the caller has already logged the fault that caused it.</summary>
        public static void Crash(Domain domain)
        {
            if (!domain.IsAlive)
                return;
            if (domain.ConsoleLineLength != 0)
                ConsoleIoHypercall.FlushLine(domain);
            domain.State = DomainState.Crashed;
            domain.ShutdownReason = (int)ShutdownReason.Crash;
            domain.Host.Log.Error().Text("domain ").Dec((ulong)domain.Id).Text(" crashed").End();
            DomainDestruction.NotifyControlDomain(domain);
        }

        public static LogLine DescribeReason(LogLine line, uint reason)
        {
            switch (reason)
            {
                case ShutdownReason.Poweroff: return line.Text("poweroff");
                case ShutdownReason.Reboot: return line.Text("reboot");
                case ShutdownReason.Suspend: return line.Text("suspend");
                case ShutdownReason.Crash: return line.Text("crash");
                case ShutdownReason.Watchdog: return line.Text("watchdog");
                case ShutdownReason.SoftReset: return line.Text("soft_reset");
                default: return line.Text("unknown reason ").Dec(reason);
            }
        }
    }
}
