using System;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Memory;

namespace Hypervisor.Core.Hypercalls.Handlers
{
    /// <summary>
    /// Reads the fixed-size requests of a guest array (mmu_update's, mmuext_op's) in order, each once,
    /// translating each page of the array once rather than once per request: what a TLB hit is to Xen's
    /// copy_from_guest. A request that is not 8-byte aligned or crosses a page takes the general copy,
    /// as does every request when the walk copies through the CPU's page tables.
    /// Valid for the page tables the vCPU ran on when it was created; make a new one after a base
    /// pointer change.
    /// </summary>
    internal unsafe struct GuestRequestReader
    {
        private const ulong PageMask = FrameAllocator.FrameSize - 1;

        private readonly GuestPageWalk walk;
        private readonly PhysicalMemory memory;
        private readonly ulong tableFrame;
        private ulong pageVirtual;
        private ulong pageMachine;
        private bool hasPage;
        private readonly bool direct;

        public GuestRequestReader(Vcpu vcpu)
        {
            Host host = vcpu.Domain.Host;
            walk = host.PageWalk;
            memory = host.Memory;
            tableFrame = GuestMode.CurrentTableFrame(vcpu);
            pageVirtual = 0;
            pageMachine = 0;
            hasPage = false;
            direct = walk.CopiesDirectly(tableFrame);
        }

        /// <summary>Reads <paramref name="count"/> 64-bit words at <paramref name="address"/>; false when any
        /// byte is not readable by the guest (the caller's -EFAULT).</summary>
        public bool TryRead(ulong address, ulong* words, int count)
        {
            ulong bytes = (ulong)count * 8;
            ulong offset = address & PageMask;
            if (direct || (address & 7) != 0 || offset + bytes > FrameAllocator.FrameSize)
                return walk.TryRead(tableFrame, address, new Span<byte>(words, (int)bytes));

            ulong page = address - offset;
            if (!hasPage || page != pageVirtual)
            {
                if (!walk.TryTranslate(tableFrame, page, false, out ulong machine))
                {
                    hasPage = false;
                    return false;
                }
                pageVirtual = page;
                pageMachine = machine;
                hasPage = true;
            }
            ulong at = pageMachine + offset;
            for (int i = 0; i < count; i++)
                words[i] = memory.Read64(at + (ulong)i * 8);
            return true;
        }
    }
}
