namespace Hypervisor.Core.Domains
{
    /// <summary>Entry points a PV kernel registers, as indexes into <see cref="Vcpu.Callbacks"/>.
    /// They follow callback.h's CALLBACKTYPE_* numbering except for syscall32, which is 7 in the ABI
    /// (3 there is the deprecated 32-bit-only sysenter): CallbackOpHypercall maps the ABI's types.</summary>
    public static class CallbackKind
    {
        public const int Event = 0;
        public const int Failsafe = 1;
        public const int Syscall = 2;
        public const int Syscall32 = 3;
        public const int Nmi = 4;
        public const int Sysenter = 5;
        public const int Count = 6;
    }
}
