namespace Hypervisor.Core.Hypercalls
{
    /// <summary>The five argument registers of a 64-bit PV hypercall (RDI, RSI, RDX, R10, R8), or the
    /// args[] of a multicall entry.</summary>
    public struct HypercallArguments
    {
        public ulong A1, A2, A3, A4, A5;

        /// <summary>The guest made this call with its own SYSCALL (not as a multicall entry), so a
        /// handler may continue it later by rewinding the guest to its SYSCALL with new arguments.</summary>
        public bool FromSyscall;

        public HypercallArguments(ulong a1, ulong a2, ulong a3, ulong a4, ulong a5)
        {
            A1 = a1;
            A2 = a2;
            A3 = a3;
            A4 = a4;
            A5 = a5;
        }
    }
}
