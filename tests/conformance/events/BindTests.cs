using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// EVTCHNOP_bind_virq and bind_ipi. A per-vCPU VIRQ (VIRQ_TIMER) binds once per vCPU (-EEXIST the
    /// second time, a new port after close); a global one (VIRQ_DOM_EXC, VIRQ_CONSOLE) only on vCPU 0
    /// (-EINVAL elsewhere, checked before the vCPU exists); VIRQs from NR_VIRQS (24) on are -EINVAL; an
    /// absent vCPU is -ENOENT. Status reports virq with its number, ipi, and vCPU 0.
    /// </summary>
    internal static unsafe class BindTests
    {
        public static void Run(TestSuite suite)
        {
            Virqs(suite);
            Ipis(suite);
        }

        private static void Virqs(TestSuite suite)
        {
            long timer = EventChannels.BindVirq(Virq.Timer, 0);
            Ports.Got(suite, "bind_virq_timer", timer);
            Ports.ExpectStatus(suite, "status_virq_timer", timer, EvtchnStatusKind.Virq, 0, Virq.Timer, 0);
            suite.Errno("bind_virq_timer_twice", XenErrno.EEXIST, EventChannels.BindVirq(Virq.Timer, 0));
            suite.Errno("bind_virq_24", XenErrno.EINVAL, EventChannels.BindVirq(Virq.Count, 0));
            suite.Errno("bind_virq_99", XenErrno.EINVAL, EventChannels.BindVirq(99, 0));
            suite.Errno("bind_virq_negative", XenErrno.EINVAL, EventChannels.BindVirq(0xFFFFFFFF, 0));
            suite.Errno("bind_virq_dom_exc_on_vcpu_1", XenErrno.EINVAL, EventChannels.BindVirq(Virq.DomExc, 1));
            suite.Errno("bind_virq_console_on_vcpu_1", XenErrno.EINVAL, EventChannels.BindVirq(Virq.Console, 1));
            suite.Errno("bind_virq_global_on_absent_vcpu", XenErrno.EINVAL, EventChannels.BindVirq(Virq.DomExc, Ports.AbsentVcpu));
            suite.Errno("bind_virq_absent_vcpu", XenErrno.ENOENT, EventChannels.BindVirq(Virq.Timer, Ports.AbsentVcpu));
            suite.Errno("bind_virq_debug_absent_vcpu", XenErrno.ENOENT, EventChannels.BindVirq(Virq.Debug, Ports.AbsentVcpu));

            long domExc = EventChannels.BindVirq(Virq.DomExc, 0);
            Ports.Got(suite, "bind_virq_dom_exc", domExc);
            Ports.ExpectStatus(suite, "status_virq_dom_exc", domExc, EvtchnStatusKind.Virq, 0, Virq.DomExc, 0);
            suite.Errno("bind_virq_dom_exc_twice", XenErrno.EEXIST, EventChannels.BindVirq(Virq.DomExc, 0));
            Ports.Release(domExc);

            // The periodic timer raises VIRQ_TIMER while it is bound: close it before anything watches bits.
            suite.Returns("close_virq_timer", 0, timer > 0 ? EventChannels.Close((uint)timer) : timer);
            Ports.ExpectStatus(suite, "status_closed_virq", timer, EvtchnStatusKind.Closed, 0, 0, 0);
            Ports.ExpectPending(suite, "close_virq_clears_pending", timer, false);
            long again = EventChannels.BindVirq(Virq.Timer, 0);
            Ports.Got(suite, "bind_virq_timer_after_close", again);
            Ports.Release(again);
            Ports.Quiesce();
        }

        private static void Ipis(TestSuite suite)
        {
            long ipi = EventChannels.BindIpi(0);
            Ports.Got(suite, "bind_ipi", ipi);
            Ports.ExpectStatus(suite, "status_ipi", ipi, EvtchnStatusKind.Ipi, 0, 0, 0);
            long second = EventChannels.BindIpi(0);
            suite.Result("bind_ipi_again_new_port", second > 0 && second != ipi).Text(" port ").Result(second)
                .Text(" (first ").Result(ipi).Text(")").End();
            suite.Errno("bind_ipi_absent_vcpu", XenErrno.ENOENT, EventChannels.BindIpi(Ports.AbsentVcpu));
            suite.Errno("bind_ipi_vcpu_negative", XenErrno.ENOENT, EventChannels.BindIpi(0xFFFFFFFF));
            Ports.Release(second);
            Ports.Release(ipi);
        }
    }
}
