using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// EVTCHNOP_status beyond what the bind tests check: port 0 and a never-used port of the table
    /// read closed; ports past the table (the first bucket holds 64 ports while few are in use), past
    /// the 2-level limit and 0xFFFFFFFF are -EINVAL; the caller's own id names the caller; a domain
    /// that does not exist is -ESRCH. Status writes the status and vCPU of every port, and of the
    /// union only what the port's kind defines (an IPI port's union comes back as the caller left it).
    /// </summary>
    internal static unsafe class StatusTests
    {
        public static void Run(TestSuite suite)
        {
            Ports.ExpectStatus(suite, "status_port_0", 0, EvtchnStatusKind.Closed, 0, 0, 0);
            Ports.ExpectStatus(suite, "status_never_used_port", 63, EvtchnStatusKind.Closed, 0, 0, 0);
            EvtchnStatus status;
            suite.Errno("status_beyond_first_bucket", XenErrno.EINVAL, Ports.Status(64, &status));
            suite.Errno("status_beyond_table", XenErrno.EINVAL, Ports.Status(Ports.BeyondTable, &status));
            suite.Errno("status_beyond_limit", XenErrno.EINVAL, Ports.Status(Ports.BeyondLimit, &status));
            suite.Errno("status_port_max", XenErrno.EINVAL, Ports.Status(0xFFFFFFFF, &status));

            long ipi = EventChannels.BindIpi(0);
            if (ipi <= 0)
            {
                suite.Skip("status_by_own_id", "bind_ipi failed");
                return;
            }
            status.Status = 0xFFFF;
            long rc = EventChannels.Status(Ports.OwnId, (uint)ipi, &status);
            suite.Result("status_by_own_id", rc == 0 && status.Status == EvtchnStatusKind.Ipi)
                .Text(" returned ").Result(rc).Text(", status ").Dec(status.Status).End();
            suite.Errno("status_absent_domain", XenErrno.ESRCH, EventChannels.Status(Ports.NoSuchDomain, (uint)ipi, &status));

            rc = Ports.Status((uint)ipi, &status);
            ulong filler = 0xA5A5A5A5A5A5A5A5UL;
            ulong union = *(ulong*)((byte*)&status + 16);
            suite.Result("status_ipi_leaves_union", rc == 0 && union == filler)
                .Text(" returned ").Result(rc).Text(", union ").Hex(union).Text(" (expected ").Hex(filler).Text(" as given)").End();
            Ports.Release(ipi);
        }
    }
}
