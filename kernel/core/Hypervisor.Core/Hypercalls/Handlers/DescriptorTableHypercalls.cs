using System;
using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Memory;

namespace Hypervisor.Core.Hypercalls.Handlers
{
    /// <summary>
    /// set_gdt(frame_list, entries): the vCPU's GDT becomes the first <c>entries</c> descriptors of the
    /// frames listed (one frame per 512 entries, at most 7168 entries, FIRST_RESERVED_GDT_ENTRY, so the
    /// hypervisor's own entries from 0xe000 stay its own: -EINVAL above). Each frame must be the
    /// caller's and take the segment-descriptor type, which checks every descriptor in it
    /// (<see cref="SegmentDescriptors"/>) and keeps it read-only to the guest from then on: -EINVAL
    /// otherwise, and nothing changes. The previous GDT's frames are released; the arch layer then loads
    /// the descriptors into this CPU's GDT (<see cref="HostPlatform.LoadGuestDescriptors"/>), and the TLB
    /// is flushed, as Xen does after remapping the GDT.
    /// </summary>
    public static unsafe class SetGdtHypercall
    {
        private const int EntriesPerFrame = 512;

        public static long Handle(Vcpu vcpu, in HypercallArguments args)
        {
            ulong list = args.A1;
            uint entries = (uint)args.A2;
            if (entries > DescriptorTables.FirstReservedGdtEntry)
                return -XenErrno.EINVAL;
            int count = (int)((entries + EntriesPerFrame - 1) / EntriesPerFrame);
            ulong* frames = stackalloc ulong[DescriptorTables.FirstReservedGdtPage];
            if (count != 0 && !GuestMemory.TryRead(vcpu, list, new Span<byte>(frames, count * 8)))
                return -XenErrno.EFAULT;
            return Install(vcpu, frames, count, entries);
        }

        /// <summary>Makes <paramref name="count"/> frames, holding <paramref name="entries"/> descriptors
        /// (at most 7168), the GDT of <paramref name="vcpu"/>; also how a vCPU context from the toolstack
        /// or VCPUOP_initialise gets its GDT. 0 or -EINVAL, nothing changed.</summary>
        public static int Install(Vcpu vcpu, ulong* frames, int count, uint entries)
        {
            if (entries > DescriptorTables.FirstReservedGdtEntry || count > DescriptorTables.FirstReservedGdtPage)
                return -XenErrno.EINVAL;
            Domain domain = vcpu.Domain;
            Host host = domain.Host;
            FrameTable table = host.FrameTable;
            for (int i = 0; i < count; i++)
            {
                if (table.GetPageAndType(frames[i], PageType.SegmentDescriptor, domain.Id) != 0)
                {
                    while (i-- > 0)
                        table.PutPageAndType(frames[i]);
                    MemoryOwners.FinishTlb(host, false, false, 0);
                    return -XenErrno.EINVAL;
                }
            }

            for (int i = 0; i < vcpu.GdtFrameCount; i++)
            {
                table.PutPageAndType(vcpu.GdtFrames[i]);
                vcpu.GdtFrames[i] = 0;
            }
            for (int i = 0; i < count; i++)
                vcpu.GdtFrames[i] = frames[i];
            vcpu.GdtFrameCount = count;
            vcpu.GdtEntries = entries;

            host.Platform.LoadGuestDescriptors(vcpu, 0, DescriptorTables.FirstReservedGdtEntry);
            MemoryOwners.FinishTlb(host, true, false, 0);
            return 0;
        }
    }

    /// <summary>
    /// update_descriptor(ma, desc): writes one descriptor at machine address <c>ma</c> (8-byte aligned, in
    /// a frame the caller owns) after checking it as set_gdt's frames are (<see cref="SegmentDescriptors"/>;
    /// a lower DPL becomes 3). The frame must be a descriptor page or able to take a writable type
    /// (not a page table): -EINVAL for anything refused. When the frame is part of a GDT (the caller's or
    /// another vCPU's of the domain) the changed entry is reloaded where that vCPU runs
    /// (<see cref="HostPlatform.LoadGuestDescriptors"/>).
    /// </summary>
    public static class UpdateDescriptorHypercall
    {
        public static long Handle(Vcpu vcpu, in HypercallArguments args)
        {
            ulong address = args.A1;
            ulong descriptor = args.A2;
            if ((address & 7) != 0 || !SegmentDescriptors.Check(ref descriptor))
                return -XenErrno.EINVAL;

            Domain domain = vcpu.Domain;
            Host host = domain.Host;
            FrameTable table = host.FrameTable;
            ulong mfn = address >> FrameAllocator.FrameShift;
            if (table.OwnerOf(mfn) != domain.Id || table.GetPage(mfn, domain.Id) != 0)
                return -XenErrno.EINVAL;
            PageType type = table.TypeOf(mfn) == PageType.SegmentDescriptor ? PageType.SegmentDescriptor : PageType.Writable;
            if (table.GetPageType(mfn, type) != 0)
            {
                table.PutPage(mfn);
                MemoryOwners.FinishTlb(host, false, false, 0);
                return -XenErrno.EINVAL;
            }
            host.Memory.Write64(address, descriptor);
            table.PutPageType(mfn);
            table.PutPage(mfn);

            if (type == PageType.SegmentDescriptor)
            {
                // The frame may be in the GDT of any of the domain's vCPUs, one another CPU runs included.
                int entryInFrame = (int)((address & (FrameAllocator.FrameSize - 1)) >> 3);
                Vcpu[] vcpus = domain.Vcpus;
                for (int v = 0; v < vcpus.Length; v++)
                {
                    Vcpu holder = vcpus[v];
                    for (int i = 0; i < holder.GdtFrameCount; i++)
                    {
                        if (holder.GdtFrames[i] == mfn)
                            host.Platform.LoadGuestDescriptors(holder, i * 512 + entryInFrame, 1);
                    }
                }
            }
            MemoryOwners.FinishTlb(host, false, false, 0);
            return 0;
        }
    }
}
