namespace Hypervisor.Core.Hypercalls
{
    /// <summary>The five argument registers of a 64-bit PV hypercall (RDI, RSI, RDX, R10, R8), or the
    /// args[] of a multicall entry.</summary>
    public struct HypercallArguments
    {
        public ulong A1, A2, A3, A4, A5;

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
