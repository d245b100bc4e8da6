using Hypervisor.Core.Domains;

namespace Hypervisor.Core.Events
{
    /// <summary>
    /// The last step before a vCPU resumes: if an upcall is pending and events are not masked, the
    /// guest goes to its event callback instead of where it was, with events masked and the interrupted
    /// context in a bounce frame, as from an interrupt. A guest that registered no event callback keeps
    /// the upcall pending (it may be polling the bits itself).
    /// </summary>
    public static class EventUpcall
    {
        public static void DeliverIfDue(Vcpu vcpu)
        {
            // Pending and mask are adjacent bytes: one read decides (pending set, mask clear).
            ushort flags = vcpu.Domain.Host.Memory.Read16(vcpu.VcpuInfoAddress + VcpuInfoAccess.UpcallPendingOffset);
            if ((flags & 0xFF) == 0 || (flags & 0xFF00) != 0)
                return;
            ulong callback = vcpu.Callbacks[CallbackKind.Event];
            if (callback == 0)
                return;
            if (TrapBounce.Deliver(vcpu, callback, true, false, 0) == TrapBounce.Outcome.Delivered)
                return;
            GuestFault.Report(vcpu, "the guest kernel stack cannot take the event callback's frame", vcpu.Registers.Rip);
            DomainLifecycle.Crash(vcpu.Domain);
        }
    }
}
