namespace Hypervisor.Core.Memory
{
    /// <summary>Outcome of sanitising the firmware memory map. Anything but <see cref="Ok"/> means the
    /// hypervisor cannot run; the caller reports it (see <see cref="MemoryMap.Describe"/>).</summary>
    public enum MemoryMapStatus
    {
        Ok = 0,

        /// <summary>No region survived sanitising (none given, or all zero-length / unrepresentable).</summary>
        Empty = 1,

        /// <summary>Regions exist but none is usable RAM.</summary>
        NoUsableMemory = 2,
    }
}
