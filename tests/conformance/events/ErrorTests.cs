using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// The errors of event_channel_op and the old event_channel_op_compat (hypercall 16):
    /// - every command copies its whole argument in first: unmapped (also null) or running off the
    ///   mapping is -EFAULT, the FIFO commands included;
    /// - an unknown command is -ENOSYS without looking at the argument;
    /// - on the 2-level ABI, expand_array is -EOPNOTSUPP and set_priority -ENOSYS (after checking its
    ///   port: -EINVAL beyond the table); bind_pirq of an IRQ the domain cannot have is -EINVAL;
    /// - reset_cont (14, the continuation of a preempted reset) with no reset under way is -EBUSY;
    /// - the compat form copies the whole evtchn_op (-EFAULT when any of it is unreadable, even with a
    ///   readable command), does send, status, bind_ipi and the other 2-level commands, writes results
    ///   into the op's union, and refuses reset, the FIFO commands and unknown ones with -ENOSYS.
    /// </summary>
    internal static unsafe class ErrorTests
    {
        public static void Run(TestSuite suite)
        {
            Unreadable(suite);
            Commands(suite);
            Compat(suite);
            Ports.Quiesce();
        }

        private static long Op(int command, ulong argument) => Hypercalls.EventChannelOp(command, (void*)argument);

        private static void Unreadable(TestSuite suite)
        {
            ulong bad = Ports.Unmapped;
            suite.Errno("bind_interdomain_unreadable", XenErrno.EFAULT, Op(EventChannelOp.BindInterdomain, bad));
            suite.Errno("bind_virq_unreadable", XenErrno.EFAULT, Op(EventChannelOp.BindVirq, bad));
            suite.Errno("bind_pirq_unreadable", XenErrno.EFAULT, Op(EventChannelOp.BindPirq, bad));
            suite.Errno("close_unreadable", XenErrno.EFAULT, Op(EventChannelOp.Close, bad));
            suite.Errno("send_unreadable", XenErrno.EFAULT, Op(EventChannelOp.Send, bad));
            suite.Errno("status_unreadable", XenErrno.EFAULT, Op(EventChannelOp.Status, bad));
            suite.Errno("alloc_unbound_unreadable", XenErrno.EFAULT, Op(EventChannelOp.AllocUnbound, bad));
            suite.Errno("bind_ipi_unreadable", XenErrno.EFAULT, Op(EventChannelOp.BindIpi, bad));
            suite.Errno("bind_vcpu_unreadable", XenErrno.EFAULT, Op(EventChannelOp.BindVcpu, bad));
            suite.Errno("unmask_unreadable", XenErrno.EFAULT, Op(EventChannelOp.Unmask, bad));
            suite.Errno("reset_unreadable", XenErrno.EFAULT, Op(EventChannelOp.Reset, bad));
            suite.Errno("reset_cont_unreadable", XenErrno.EFAULT, Op(EventChannelOp.ResetCont, bad));
            suite.Errno("init_control_unreadable", XenErrno.EFAULT, Op(EventChannelOp.InitControl, bad));
            suite.Errno("expand_array_unreadable", XenErrno.EFAULT, Op(EventChannelOp.ExpandArray, bad));
            suite.Errno("set_priority_unreadable", XenErrno.EFAULT, Op(EventChannelOp.SetPriority, bad));
            suite.Errno("send_null", XenErrno.EFAULT, Op(EventChannelOp.Send, 0));
            suite.Errno("status_hypervisor_area", XenErrno.EFAULT, Op(EventChannelOp.Status, AddressSpaceLayout.HypervisorVirtEnd - 0x1000));

            // A status struct whose first 8 bytes are mapped: its port is readable, the rest is not.
            ulong edge = StartOfDay.Layout.RegionEnd - 8;
            EvtchnStatus* status = (EvtchnStatus*)edge;
            status->Dom = DomainId.Self;
            status->Port = 0;
            suite.Errno("status_runs_off_mapping", XenErrno.EFAULT, Op(EventChannelOp.Status, edge));
        }

        private static void Commands(TestSuite suite)
        {
            suite.Errno("unknown_command", XenErrno.ENOSYS, Op(99, 0));
            suite.Errno("unknown_command_negative", XenErrno.ENOSYS, Op(-1, Ports.Unmapped));
            suite.Errno("unknown_command_15", XenErrno.ENOSYS, Op(15, Ports.Unmapped));

            // reset_cont continues a preempted reset; with none under way it is refused.
            EvtchnReset reset;
            reset.Dom = DomainId.Self;
            suite.Errno("reset_cont_without_reset", XenErrno.EBUSY, Hypercalls.EventChannelOp(EventChannelOp.ResetCont, &reset));
            reset.Dom = Ports.NoSuchDomain;
            suite.Errno("reset_cont_absent_domain", XenErrno.ESRCH, Hypercalls.EventChannelOp(EventChannelOp.ResetCont, &reset));

            EvtchnExpandArray expand;
            expand.ArrayGfn = 0;
            suite.Errno("expand_array_on_2_level", XenErrno.EOPNOTSUPP, Hypercalls.EventChannelOp(EventChannelOp.ExpandArray, &expand));
            long ipi = EventChannels.BindIpi(0);
            EvtchnSetPriority priority;
            priority.Port = ipi > 0 ? (uint)ipi : 1;
            priority.Priority = EvtchnFifo.PriorityDefault;
            suite.Errno("set_priority_on_2_level", XenErrno.ENOSYS, Hypercalls.EventChannelOp(EventChannelOp.SetPriority, &priority));
            priority.Port = Ports.BeyondTable;
            suite.Errno("set_priority_beyond_table", XenErrno.EINVAL, Hypercalls.EventChannelOp(EventChannelOp.SetPriority, &priority));
            Ports.Release(ipi);

            EvtchnBindPirq pirq = default;
            pirq.Pirq = 100000;
            suite.Errno("bind_pirq_out_of_range", XenErrno.EINVAL, Hypercalls.EventChannelOp(EventChannelOp.BindPirq, &pirq));
        }

        private static void Compat(TestSuite suite)
        {
            EvtchnOp op = default;
            op.Cmd = EventChannelOp.BindIpi;
            EvtchnBindIpi* bindIpi = (EvtchnBindIpi*)op.Argument;
            bindIpi->Vcpu = 0;
            bindIpi->Port = 0;
            long rc = Hypercalls.EventChannelOpCompat(&op);
            uint port = bindIpi->Port;
            suite.Result("compat_bind_ipi", rc == 0 && port > 0).Text(" returned ").Result(rc).Text(", port ").Dec(port).End();
            if (rc != 0 || port == 0)
                return;

            Ports.Quiesce();
            EventChannels.ClearPending(port);
            op = default;
            op.Cmd = EventChannelOp.Send;
            ((EvtchnSend*)op.Argument)->Port = port;
            suite.Returns("compat_send", 0, Hypercalls.EventChannelOpCompat(&op));
            Ports.ExpectPending(suite, "compat_send_raises_pending", port, true);

            op = default;
            op.Cmd = EventChannelOp.Status;
            EvtchnStatus* status = (EvtchnStatus*)op.Argument;
            status->Dom = DomainId.Self;
            status->Port = port;
            status->Status = 0xFFFF;
            rc = Hypercalls.EventChannelOpCompat(&op);
            suite.Result("compat_status", rc == 0 && status->Status == EvtchnStatusKind.Ipi && status->Vcpu == 0)
                .Text(" returned ").Result(rc).Text(", status ").Dec(status->Status).Text(", vcpu ").Dec(status->Vcpu).End();

            op = default;
            op.Cmd = EventChannelOp.Status;
            status->Dom = DomainId.Self;
            status->Port = Ports.BeyondTable;
            suite.Errno("compat_status_beyond_table", XenErrno.EINVAL, Hypercalls.EventChannelOpCompat(&op));

            // The command and the send's port are readable, the rest of the evtchn_op is not.
            EventChannels.ClearPending(port);
            ulong edge = StartOfDay.Layout.RegionEnd - 8;
            EvtchnOp* partial = (EvtchnOp*)edge;
            partial->Cmd = EventChannelOp.Send;
            *(uint*)(edge + EvtchnOp.ArgumentOffset) = port;
            suite.Errno("compat_runs_off_mapping", XenErrno.EFAULT, Hypercalls.EventChannelOpCompat(partial));
            Ports.ExpectPending(suite, "compat_runs_off_mapping_sends_nothing", port, false);
            suite.Errno("compat_unreadable", XenErrno.EFAULT, Hypercalls.EventChannelOpCompat((EvtchnOp*)Ports.Unmapped));

            // A domain that does not exist: should reset run anyway, it touches nothing.
            op = default;
            op.Cmd = EventChannelOp.Reset;
            ((EvtchnReset*)op.Argument)->Dom = Ports.NoSuchDomain;
            suite.Errno("compat_reset", XenErrno.ENOSYS, Hypercalls.EventChannelOpCompat(&op));
            op = default;
            op.Cmd = EventChannelOp.SetPriority;
            ((EvtchnSetPriority*)op.Argument)->Port = port;
            suite.Errno("compat_set_priority", XenErrno.ENOSYS, Hypercalls.EventChannelOpCompat(&op));
            op = default;
            op.Cmd = EventChannelOp.ResetCont;
            ((EvtchnReset*)op.Argument)->Dom = DomainId.Self;
            suite.Errno("compat_reset_cont", XenErrno.ENOSYS, Hypercalls.EventChannelOpCompat(&op));
            op = default;
            op.Cmd = 99;
            suite.Errno("compat_unknown_command", XenErrno.ENOSYS, Hypercalls.EventChannelOpCompat(&op));

            op = default;
            op.Cmd = EventChannelOp.Close;
            ((EvtchnClose*)op.Argument)->Port = port;
            suite.Returns("compat_close", 0, Hypercalls.EventChannelOpCompat(&op));
            Ports.ExpectStatus(suite, "status_after_compat_close", port, EvtchnStatusKind.Closed, 0, 0, 0);
        }
    }
}
