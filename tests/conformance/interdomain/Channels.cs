namespace Hypervisor.Conformance
{
    /// <summary>The interdomain channels <see cref="BindTests"/> makes and later tests use (0: not made):
    /// dom0's end, then the peer's.</summary>
    internal static class Channels
    {
        /// <summary>Dom0 offered, the peer bound: the channel of the delivery tests.</summary>
        public static uint A, PeerA;
        /// <summary>The peer offered, dom0 bound.</summary>
        public static uint B, PeerB;
        /// <summary>Dom0 allocated the peer's end in the peer's table, then bound to it.</summary>
        public static uint C, PeerC;
        /// <summary>The peer's end of the control channel.</summary>
        public static uint PeerControl;

        /// <summary>An id below the reserved ones that no domain has.</summary>
        public const ushort AbsentDomain = 0x7FEF;
    }
}
