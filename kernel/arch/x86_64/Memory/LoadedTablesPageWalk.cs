using System;
using Hypervisor.Core.Memory;

namespace Hypervisor.Arch.X86_64
{
    // The core's guest page walk, with copies in the loaded address space done by the CPU: while the
    // hypervisor handles a vCPU's exit, this CPU's CR3 holds that vCPU's current tables (their L4 carries the
    // hypervisor's slots), so a guest address can be dereferenced directly and the TLB does the walk
    // the software would. The answers are the software walk's: guest entries are always USER, the
    // hypervisor's range is refused before any access, CR0.WP makes read-only pages fault on writes,
    // and every fault is recovered (GuestCopy) into false. Other address spaces take the software walk.
    internal sealed unsafe class LoadedTablesPageWalk : GuestPageWalk
    {

        public LoadedTablesPageWalk(PhysicalMemory memory, FrameTable frames) : base(memory, frames)
        {
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public override bool CopiesDirectly(ulong l4Mfn) => l4Mfn != 0 && l4Mfn == GuestExecution.LoadedTableFrameHere;

        public override bool TryRead(ulong l4Mfn, ulong virtualAddress, Span<byte> destination)
        {
            if (!CopiesDirectly(l4Mfn))
                return base.TryRead(l4Mfn, virtualAddress, destination);
            if (!IsGuestRange(virtualAddress, (ulong)destination.Length))
                return false;
            fixed (byte* d = destination)
                return GuestCopy.TryCopy(d, (void*)virtualAddress, (ulong)destination.Length);
        }

        public override bool TryWrite(ulong l4Mfn, ulong virtualAddress, ReadOnlySpan<byte> source)
        {
            if (!CopiesDirectly(l4Mfn))
                return base.TryWrite(l4Mfn, virtualAddress, source);
            if (!IsGuestRange(virtualAddress, (ulong)source.Length))
                return false;
            fixed (byte* s = source)
                return GuestCopy.TryCopy((void*)virtualAddress, s, (ulong)source.Length);
        }
    }
}
