using Hypervisor.Core.Domains;

namespace Hypervisor.Core.Memory
{
    /// <summary>
    /// A domain's memory as the balloon moves it (XENMEM_increase_reservation, decrease_reservation,
    /// populate_physmap): extents of 2^order frames given to or taken from the domain, with tot_pages
    /// kept below max_pages. The allocator hands out only zeroed frames and frees them dirty, so nothing
    /// a domain gave back (or a dead domain left) reaches another. A frame is taken back only when nothing uses it any more: unlike
    /// Xen, which frees a still-mapped frame once its last mapping goes, a frame that is still mapped,
    /// typed (a page table, a descriptor page, a grant-table frame) or referenced is refused.
    /// </summary>
    public static class DomainReservation
    {
        /// <summary>Largest extent order a domain may ask for: Xen's hardware-domain and domU defaults.</summary>
        public static uint MaxOrder(Domain caller) => caller.IsPrivileged ? 12u : 9u;

        /// <summary>Gives <paramref name="domain"/> 2^<paramref name="order"/> contiguous, zeroed frames
        /// (their M2P entries invalid); false when that would exceed max_pages, no such run is free, or the
        /// domain is being destroyed.</summary>
        public static bool TryGive(Domain domain, uint order, out ulong firstMfn)
        {
            firstMfn = 0;
            // A dying domain gets nothing more (Xen's assign_pages refuses it): its frames are going back,
            // and one given now would only wait for the next frame another domain lets go of.
            if (domain.IsDying)
                return false;
            Host host = domain.Host;
            ulong count = 1UL << (int)order;
            if (domain.TotalPages + count > domain.MaxPages)
                return false;
            ulong address;
            bool allocated = count == 1 ? host.Frames.TryAllocate(out address) : host.Frames.TryAllocateContiguous(count, count, out address);
            if (!allocated)
                return false;
            firstMfn = address >> FrameAllocator.FrameShift;
            for (ulong i = 0; i < count; i++)
            {
                if (host.FrameTable.Assign(firstMfn + i, domain.Id) != 0)
                {
                    // The allocator and the frame table disagree: hand back what was taken, give nothing.
                    for (ulong j = 0; j < i; j++)
                        host.FrameTable.Release(firstMfn + j);
                    for (ulong j = 0; j < count; j++)
                        host.Frames.Free(address + j * FrameAllocator.FrameSize);
                    return false;
                }
                if (host.MachineToPhys != null)
                    host.MachineToPhys.Set(firstMfn + i, MachineToPhys.Invalid);
            }
            domain.TotalPages += count;
            return true;
        }

        /// <summary>Takes back the 2^<paramref name="order"/> frames from <paramref name="firstMfn"/>, one by
        /// one (a pin is dropped first, as Xen does); false at the first frame that is not the domain's or
        /// is still in use (those before it are gone).</summary>
        public static bool TryTakeBack(Domain domain, ulong firstMfn, uint order)
        {
            Host host = domain.Host;
            FrameTable frames = host.FrameTable;
            ulong count = 1UL << (int)order;
            for (ulong i = 0; i < count; i++)
            {
                ulong mfn = firstMfn + i;
                if (frames.OwnerOf(mfn) != domain.Id)
                    return false;
                if (frames.IsPinned(mfn))
                    frames.Unpin(domain.Id, mfn);
                if (frames.Release(mfn) != 0)
                    return false;
                host.Frames.Free(mfn << FrameAllocator.FrameShift);
                if (host.MachineToPhys != null)
                    host.MachineToPhys.Set(mfn, MachineToPhys.Invalid);
                domain.TotalPages--;
            }
            return true;
        }
    }
}
