using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// Ports are handed out lowest first from 1 (0 is reserved and never given): the suite's first
    /// three binds get 1, 2 and 3, and a port closed in between is the next one handed out. Runs first,
    /// while the domain holds no port.
    /// </summary>
    internal static unsafe class PortOrderTests
    {
        public static void Run(TestSuite suite)
        {
            long first = EventChannels.BindIpi(0);
            long second = EventChannels.BindIpi(0);
            long third = EventChannels.BindIpi(0);
            suite.Returns("first_port_is_1", 1, first);
            suite.Returns("second_port_is_2", 2, second);
            suite.Returns("third_port_is_3", 3, third);
            Ports.Release(second);
            long again = EventChannels.BindIpi(0);
            suite.Returns("closed_port_is_handed_out_again", second > 0 ? second : 2, again);
            Ports.Release(again);
            Ports.Release(first);
            Ports.Release(third);
            long alloc = EventChannels.AllocUnbound(DomainId.Self, DomainId.Self);
            suite.Returns("lowest_free_port_for_every_kind", 1, alloc);
            Ports.Release(alloc);
        }
    }
}
