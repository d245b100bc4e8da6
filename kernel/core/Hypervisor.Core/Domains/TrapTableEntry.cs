namespace Hypervisor.Core.Domains
{
    /// <summary>One vector of a guest's trap table (from set_trap_table): where to bounce it, with
    /// which code selector, and from which guest privilege level a software interrupt may reach it.</summary>
    public struct TrapTableEntry
    {
        public ulong Address;
        public ushort CodeSelector;
        /// <summary>TrapInfo flags: the privilege level in bits 0-1, "disable events" in bit 2.</summary>
        public byte Flags;

        public bool IsSet => Address != 0;
    }
}
