using System.Runtime.InteropServices;

namespace Hypervisor.Abi
{
    /// <summary>Commands of callback_op(cmd, arg) (callback.h CALLBACKOP_*).</summary>
    public static class CallbackOp
    {
        /// <summary><c>CALLBACKOP_register</c>: arg <see cref="CallbackRegister"/>.</summary>
        public const int Register = 0;

        /// <summary><c>CALLBACKOP_unregister</c>: arg <see cref="CallbackUnregister"/>; some types refuse
        /// with EINVAL.</summary>
        public const int Unregister = 1;
    }

    /// <summary>Entry points a PV kernel registers (callback.h CALLBACKTYPE_*).</summary>
    public static class CallbackType
    {
        /// <summary><c>CALLBACKTYPE_event</c>: the event upcall; always entered with events masked.</summary>
        public const ushort Event = 0;

        /// <summary><c>CALLBACKTYPE_failsafe</c>: entered when Xen cannot restore the guest's segment
        /// state on return.</summary>
        public const ushort Failsafe = 1;

        /// <summary><c>CALLBACKTYPE_syscall</c>: SYSCALL from 64-bit guest user mode.</summary>
        public const ushort Syscall = 2;

        /// <summary><c>CALLBACKTYPE_sysenter_deprecated</c>: 32-bit hypervisors only; do not use.</summary>
        public const ushort SysenterDeprecated = 3;

        /// <summary><c>CALLBACKTYPE_nmi</c>: NMI delivery; always entered with events masked.</summary>
        public const ushort Nmi = 4;

        /// <summary><c>CALLBACKTYPE_sysenter</c>: SYSENTER from 32-bit guest user mode (Intel CPUs).</summary>
        public const ushort Sysenter = 5;

        // 6 is unused.

        /// <summary><c>CALLBACKTYPE_syscall32</c>: SYSCALL from 32-bit guest user mode (AMD CPUs).</summary>
        public const ushort Syscall32 = 7;
    }

    /// <summary>Bits of <see cref="CallbackRegister.Flags"/> (callback.h CALLBACKF_*).</summary>
    public static class CallbackFlags
    {
        /// <summary><c>CALLBACKF_mask_events</c>: mask events on entry (ignored for event and NMI
        /// callbacks, which always mask).</summary>
        public const ushort MaskEvents = 1 << 0;
    }

    /// <summary>Mirrors callback.h <c>struct callback_register</c> (16 bytes on x86-64).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    public struct CallbackRegister
    {
        /// <summary><c>type</c>: a <see cref="CallbackType"/>.</summary>
        [FieldOffset(0)] public ushort Type;

        /// <summary><c>flags</c>: <see cref="CallbackFlags"/>.</summary>
        [FieldOffset(2)] public ushort Flags;

        /// <summary><c>address</c>: the entry point (<c>xen_callback_t</c>, a plain address on x86-64).</summary>
        [FieldOffset(8)] public ulong Address;
    }

    /// <summary>Mirrors callback.h <c>struct callback_unregister</c> (4 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 4)]
    public struct CallbackUnregister
    {
        /// <summary><c>type</c>: a <see cref="CallbackType"/>.</summary>
        [FieldOffset(0)] public ushort Type;

        /// <summary><c>_unused</c>.</summary>
        [FieldOffset(2)] public ushort Unused;
    }
}
