namespace Hypervisor.Guest
{
    /// <summary>
    /// RCX, R11 and RFLAGS as an entry from the hypervisor found them (a trap stub or a callback records
    /// them first: asm/kit.inc, KIT_RECORD_ENTRY). Xen enters every handler the way SYSRET returns, with
    /// RCX = the entry's address and R11 = the RFLAGS it runs with; the interrupted values are in the frame.
    /// </summary>
    public struct HandlerEntry
    {
        public ulong Rcx;
        public ulong R11;
        public ulong Rflags;

        /// <summary>True when the handler at <paramref name="entry"/> began as SYSRET leaves a return: RCX
        /// = <paramref name="entry"/> and R11 = RFLAGS, bit 1 apart (SYSRET sets that reserved bit
        /// whatever R11 says, and Xen's R11 for a syscall callback leaves it clear).</summary>
        public bool IsAsBySysret(ulong entry) => Rcx == entry && (R11 | 2) == Rflags;
    }
}
