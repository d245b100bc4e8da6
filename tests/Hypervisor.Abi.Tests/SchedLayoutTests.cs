using System;
using Hypervisor.Abi.Tests.Support;
using Xunit;

namespace Hypervisor.Abi.Tests
{
    /// <summary>Structures of sched.h.</summary>
    public class SchedLayoutTests
    {
        public static TheoryData<string, Type, int> Sizes => new()
        {
            { "sched_shutdown", typeof(SchedShutdown), 4 },
            { "sched_poll", typeof(SchedPoll), 24 },
            { "sched_remote_shutdown", typeof(SchedRemoteShutdown), 8 },
            { "sched_watchdog", typeof(SchedWatchdog), 8 },
            { "sched_pin_override", typeof(SchedPinOverride), 4 },
        };

        public static TheoryData<string, Type, string, int> Offsets => new()
        {
            { "sched_shutdown.reason", typeof(SchedShutdown), nameof(SchedShutdown.Reason), 0 },
            { "sched_poll.ports", typeof(SchedPoll), nameof(SchedPoll.Ports), 0 },
            { "sched_poll.nr_ports", typeof(SchedPoll), nameof(SchedPoll.NrPorts), 8 },
            { "sched_poll.timeout", typeof(SchedPoll), nameof(SchedPoll.Timeout), 16 },
            { "sched_remote_shutdown.domain_id", typeof(SchedRemoteShutdown), nameof(SchedRemoteShutdown.DomainId), 0 },
            { "sched_remote_shutdown.reason", typeof(SchedRemoteShutdown), nameof(SchedRemoteShutdown.Reason), 4 },
            { "sched_watchdog.id", typeof(SchedWatchdog), nameof(SchedWatchdog.Id), 0 },
            { "sched_watchdog.timeout", typeof(SchedWatchdog), nameof(SchedWatchdog.Timeout), 4 },
            { "sched_pin_override.pcpu", typeof(SchedPinOverride), nameof(SchedPinOverride.Pcpu), 0 },
        };

        [Theory]
        [MemberData(nameof(Sizes))]
        public void Size_matches_xen(string xenStruct, Type type, int xenSize)
        {
            _ = xenStruct;
            Layout.AssertSize(type, xenSize);
        }

        [Theory]
        [MemberData(nameof(Offsets))]
        public void Offset_matches_xen(string xenField, Type type, string field, int xenOffset)
        {
            _ = xenField;
            Layout.AssertOffset(type, field, xenOffset);
        }
    }
}
