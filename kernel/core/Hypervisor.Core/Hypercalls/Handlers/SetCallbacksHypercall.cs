using Hypervisor.Abi;
using Hypervisor.Core.Domains;

namespace Hypervisor.Core.Hypercalls.Handlers
{
    /// <summary>set_callbacks(event, failsafe, syscall): the older way to register the event upcall,
    /// failsafe and 64-bit SYSCALL entry points in one call.</summary>
    public static class SetCallbacksHypercall
    {
        public static long Handle(Vcpu vcpu, in HypercallArguments args)
        {
            // As Xen: each is registered with no flags (so "mask events" is cleared for failsafe and
            // syscall), a non-canonical address is silently skipped, and the call always succeeds.
            CallbackOpHypercall.Register(vcpu, CallbackType.Event, 0, args.A1);
            CallbackOpHypercall.Register(vcpu, CallbackType.Failsafe, 0, args.A2);
            CallbackOpHypercall.Register(vcpu, CallbackType.Syscall, 0, args.A3);
            return 0;
        }
    }
}
