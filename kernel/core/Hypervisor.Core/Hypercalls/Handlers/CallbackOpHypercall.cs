using Hypervisor.Abi;
using Hypervisor.Core.Domains;

namespace Hypervisor.Core.Hypercalls.Handlers
{
    /// <summary>callback_op(cmd, arg): registers (or, for the NMI callback only, unregisters) one of
    /// the guest kernel's entry points: the event upcall, the failsafe callback, the SYSCALL entries
    /// for 64-bit and 32-bit user mode, SYSENTER, and the NMI handler.</summary>
    public static class CallbackOpHypercall
    {
        private const int NmiVector = 2;

        public static long Handle(Vcpu vcpu, in HypercallArguments args)
        {
            switch ((int)(uint)args.A1)
            {
                case CallbackOp.Register:
                    {
                        if (!GuestMemory.TryRead(vcpu, args.A2, out CallbackRegister request))
                            return -XenErrno.EFAULT;
                        return Register(vcpu, request.Type, request.Flags, request.Address);
                    }
                case CallbackOp.Unregister:
                    {
                        if (!GuestMemory.TryRead(vcpu, args.A2, out CallbackUnregister request))
                            return -XenErrno.EFAULT;
                        return Unregister(vcpu, request.Type);
                    }
                default:
                    return -XenErrno.ENOSYS;
            }
        }

        /// <summary>Xen's register_guest_callback for a 64-bit guest (also behind set_callbacks).</summary>
        public static long Register(Vcpu vcpu, ushort type, ushort flags, ulong address)
        {
            // The address is judged before the type, so an unknown type with a bad address is -EINVAL.
            if (!Canonical.IsCanonical(address))
                return -XenErrno.EINVAL;
            bool maskEvents = (flags & CallbackFlags.MaskEvents) != 0;
            switch (type)
            {
                case CallbackType.Event:
                    // Event upcalls are always entered with events masked, whatever the flag says.
                    Set(vcpu, CallbackKind.Event, address, true);
                    return 0;
                case CallbackType.Failsafe:
                    Set(vcpu, CallbackKind.Failsafe, address, maskEvents);
                    return 0;
                case CallbackType.Syscall:
                    Set(vcpu, CallbackKind.Syscall, address, maskEvents);
                    return 0;
                case CallbackType.Syscall32:
                    Set(vcpu, CallbackKind.Syscall32, address, maskEvents);
                    return 0;
                case CallbackType.Sysenter:
                    Set(vcpu, CallbackKind.Sysenter, address, maskEvents);
                    return 0;
                case CallbackType.Nmi:
                    RegisterNmi(vcpu, address);
                    return 0;
                default:
                    // Including 3, CALLBACKTYPE_sysenter_deprecated, which only 32-bit Xen knew.
                    return -XenErrno.ENOSYS;
            }
        }

        /// <summary>Xen's unregister_guest_callback: only the NMI callback can be dropped; the others
        /// stay registered once set (a guest replaces them instead).</summary>
        public static long Unregister(Vcpu vcpu, ushort type)
        {
            switch (type)
            {
                case CallbackType.Event:
                case CallbackType.Failsafe:
                case CallbackType.Syscall:
                case CallbackType.Syscall32:
                case CallbackType.Sysenter:
                    return -XenErrno.EINVAL;
                case CallbackType.Nmi:
                    vcpu.TrapTable[NmiVector] = default;
                    Set(vcpu, CallbackKind.Nmi, 0, false);
                    return 0;
                default:
                    return -XenErrno.ENOSYS;
            }
        }

        /// <summary>Sets callback <paramref name="kind"/> (also how a vCPU context sets its callbacks).</summary>
        public static void Set(Vcpu vcpu, int kind, ulong address, bool maskEvents)
        {
            vcpu.Callbacks[kind] = address;
            vcpu.CallbackMasksEvents[kind] = maskEvents;
        }

        // Under Xen the NMI callback is the trap-table entry for vector 2, entered with events masked,
        // so set_trap_table and callback_op see the same handler. Callbacks[Nmi] mirrors it for readers
        // that look there.
        private static void RegisterNmi(Vcpu vcpu, ulong address)
        {
            TrapTableEntry entry;
            entry.Address = address;
            entry.CodeSelector = FlatSelector.KernelCs;
            entry.Flags = TrapInfoFlags.DisableEvents;
            vcpu.TrapTable[NmiVector] = entry;
            Set(vcpu, CallbackKind.Nmi, address, true);
        }
    }
}
