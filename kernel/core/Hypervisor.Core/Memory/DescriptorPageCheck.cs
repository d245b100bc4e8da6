namespace Hypervisor.Core.Memory
{
    /// <summary>
    /// Validates a frame about to become a GDT/LDT page (<see cref="PageType.SegmentDescriptor"/>):
    /// every descriptor must be safe for a ring-3 guest (Xen's check_descriptor), and may be fixed up
    /// in place. It lives with the descriptor-table code, which knows the hypervisor's selectors;
    /// without one, no frame can take the segment-descriptor type.
    /// </summary>
    public abstract class DescriptorPageCheck
    {
        /// <summary>0 when all 512 descriptors of the frame at <paramref name="frameAddress"/> are
        /// acceptable for <paramref name="owner"/>, else a negative errno.</summary>
        public abstract int Validate(ushort owner, ulong frameAddress);
    }
}
