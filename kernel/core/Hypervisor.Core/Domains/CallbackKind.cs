namespace Hypervisor.Core.Domains
{
    /// <summary>Entry points a PV kernel registers (callback.h CALLBACKTYPE_* numbering, so the
    /// value indexes <see cref="Vcpu.Callbacks"/> directly).</summary>
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
