using Hypervisor.Core.Memory;

namespace Hypervisor.Core.Domains
{
    /// <summary>
    /// Making a domain's objects in its own arena (<see cref="ObjectArenas"/>): the domain's creation,
    /// its vCPUs, and the tables that grow later (grant frames, maptrack, scheduler state). Code that
    /// makes objects for a domain enters its arena, makes them, and leaves; nothing outside the domain
    /// may keep a reference to them once it is gone. Without arenas (host tests) these do nothing.
    /// </summary>
    public static class DomainObjects
    {
        /// <summary>What a domain's own objects take before any vCPU, a little rounded up: the domain, its
        /// event channel table (4096 ports, 80 KiB), its grant table with its first frame's active
        /// entries, its maptrack.</summary>
        public const ulong DomainBytes = 144 * 1024;

        /// <summary>What each vCPU's objects take, a little rounded up: registers, trap table, FPU image,
        /// VIRQ ports and scheduler state.</summary>
        public const ulong VcpuBytes = 12 * 1024;

        /// <summary>Starts making objects in <paramref name="domain"/>'s arena; pass what it returns to
        /// <see cref="Leave"/>.</summary>
        public static ulong Enter(Domain domain)
        {
            ObjectArenas arenas = domain.Host.ObjectArenas;
            return arenas == null || domain.ObjectArena == 0 ? 0 : arenas.Enter(domain.ObjectArena);
        }

        public static void Leave(Domain domain, ulong previous)
        {
            ObjectArenas arenas = domain.Host.ObjectArenas;
            if (arenas != null && domain.ObjectArena != 0)
                arenas.Enter(previous);
        }

        /// <summary>Whether <paramref name="bytes"/> more of the domain's objects can be made (memory is
        /// taken now if needed).</summary>
        public static bool Reserve(Domain domain, ulong bytes)
        {
            ObjectArenas arenas = domain.Host.ObjectArenas;
            return arenas == null || domain.ObjectArena == 0 || arenas.Reserve(domain.ObjectArena, bytes);
        }
    }
}
