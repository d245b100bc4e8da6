using Hypervisor.Abi;
using Hypervisor.Core.Domains;

namespace Hypervisor.Core.Time
{
    /// <summary>
    /// SCHEDOP_watchdog: up to two watchdogs per domain (ids 1 and 2), each a deadline the guest must
    /// keep pushing back; one that expires shuts the domain down with SHUTDOWN_watchdog.
    /// </summary>
    public static class DomainWatchdogs
    {
        public const int PerDomain = 2;
        private const ulong NanosecondsPerSecond = 1_000_000_000;

        /// <summary>Creates (id 0: the new id, or -ENOSPC), re-arms or (timeout 0) removes a watchdog;
        /// -EINVAL for an id that is not in use.</summary>
        public static long Set(Domain domain, uint id, uint timeoutSeconds)
        {
            ulong[] deadlines = domain.WatchdogDeadlines;
            ulong now = SystemTime.Now(domain.Host);
            if (id > PerDomain)
                return -XenErrno.EINVAL;
            domain.Host.TimersChanged = true;
            if (id == 0)
            {
                for (int i = 0; i < PerDomain; i++)
                {
                    if (deadlines[i] != 0)
                        continue;
                    deadlines[i] = Deadline(now, timeoutSeconds);
                    return i + 1;
                }
                return -XenErrno.ENOSPC;
            }
            int slot = (int)id - 1;
            if (deadlines[slot] == 0)
                return -XenErrno.EINVAL;
            deadlines[slot] = timeoutSeconds == 0 ? 0 : Deadline(now, timeoutSeconds);
            return 0;
        }

        public static void Expire(Domain domain, ulong now)
        {
            ulong[] deadlines = domain.WatchdogDeadlines;
            for (int i = 0; i < PerDomain; i++)
            {
                if (deadlines[i] == 0 || now < deadlines[i])
                    continue;
                deadlines[i] = 0;
                domain.Host.Log.Warning().Text("domain ").Dec((ulong)domain.Id).Text(": watchdog ").Dec((ulong)(i + 1))
                    .Text(" expired").End();
                DomainLifecycle.Shutdown(domain, ShutdownReason.Watchdog);
                return;
            }
        }

        public static ulong NextDeadline(Domain domain)
        {
            ulong next = 0;
            ulong[] deadlines = domain.WatchdogDeadlines;
            for (int i = 0; i < PerDomain; i++)
            {
                if (deadlines[i] != 0 && (next == 0 || deadlines[i] < next))
                    next = deadlines[i];
            }
            return next;
        }

        // A deadline of 0 means "not in use", so a watchdog created with timeout 0 fires at the next
        // check rather than never (Xen arms it for now as well).
        private static ulong Deadline(ulong now, uint timeoutSeconds)
        {
            ulong deadline = now + timeoutSeconds * NanosecondsPerSecond;
            return deadline == 0 ? 1 : deadline;
        }
    }
}
