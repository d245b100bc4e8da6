using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Memory;
using Hypervisor.Core.Scheduling;

namespace Hypervisor.Core.Events
{
    /// <summary>
    /// The 2-level event ABI's bits, which live in guest-writable memory: a pending and a mask bit per
    /// port in shared_info (64 words of 64), and in each vcpu_info a selector word (bit n: word n has
    /// pending unmasked ports) and the upcall-pending byte. The order of the steps is the protocol:
    /// pending first, then (if unmasked) the selector, then the upcall flag, so a guest scanning
    /// selector then words never misses an edge. Each step is a fresh read of the guest's memory and
    /// nothing else read from it is trusted. The guest's other vCPUs change the same words at the same
    /// time (clearing pending bits and selectors, masking), so bits are set and cleared with
    /// indivisible steps (<see cref="PhysicalMemory.SetBits64"/>), never by writing back a word read earlier.
    /// </summary>
    public static class TwoLevelEvents
    {
        private const int BitsPerWord = 64;
        private const ulong PendingSelectorOffset = 8;

        /// <summary>Raises <paramref name="port"/> of <paramref name="domain"/>, notifying vCPU
        /// <paramref name="vcpuId"/>: a port already pending is not a new edge; an unmasked one sets the
        /// selector and the upcall, which wakes a blocked vCPU; a vCPU polling the port wakes either way.</summary>
        public static void SetPending(Domain domain, int vcpuId, uint port)
        {
            PhysicalMemory memory = domain.Host.Memory;
            ulong word = port / BitsPerWord;
            ulong bit = 1UL << (int)(port % BitsPerWord);
            ulong pendingAddress = domain.SharedInfoAddress + SharedInfo.EvtchnPendingOffset + word * 8;
            if ((memory.SetBits64(pendingAddress, bit) & bit) != 0)
                return;
            Vcpu[] vcpus = domain.Vcpus;
            if ((uint)vcpuId < (uint)vcpus.Length && !IsMasked(domain, port))
                RaiseSelector(vcpus[vcpuId], word);
            VcpuBlocking.WakePollers(domain, port);
        }

        /// <summary>EVTCHNOP_unmask: clears the mask bit; a port that was masked and is pending raises
        /// the selector and upcall now, as if it had just been sent.</summary>
        public static void Unmask(Domain domain, int vcpuId, uint port)
        {
            PhysicalMemory memory = domain.Host.Memory;
            ulong word = port / BitsPerWord;
            ulong bit = 1UL << (int)(port % BitsPerWord);
            ulong maskAddress = domain.SharedInfoAddress + SharedInfo.EvtchnMaskOffset + word * 8;
            if ((memory.ClearBits64(maskAddress, bit) & bit) == 0)
                return;
            Vcpu[] vcpus = domain.Vcpus;
            if (IsPending(domain, port) && (uint)vcpuId < (uint)vcpus.Length)
                RaiseSelector(vcpus[vcpuId], word);
        }

        public static bool IsPending(Domain domain, uint port) => TestBit(domain, SharedInfo.EvtchnPendingOffset, port);

        public static bool IsMasked(Domain domain, uint port) => TestBit(domain, SharedInfo.EvtchnMaskOffset, port);

        /// <summary>Clears a closed port's pending bit, so a later binding of the number starts clean.</summary>
        public static void ClearPending(Domain domain, uint port)
        {
            PhysicalMemory memory = domain.Host.Memory;
            ulong address = domain.SharedInfoAddress + SharedInfo.EvtchnPendingOffset + port / BitsPerWord * 8;
            memory.ClearBits64(address, 1UL << (int)(port % BitsPerWord));
        }

        /// <summary>Sets the upcall-pending flag; if it was clear, the vCPU is kicked (a blocked one
        /// wakes). The arch layer delivers the upcall when it next resumes the vCPU unmasked.</summary>
        public static void MarkUpcallPending(Vcpu vcpu)
        {
            PhysicalMemory memory = vcpu.Domain.Host.Memory;
            if (memory.Read8(vcpu.VcpuInfoAddress + VcpuInfoAccess.UpcallPendingOffset) != 0)
                return;
            memory.Write8(vcpu.VcpuInfoAddress + VcpuInfoAccess.UpcallPendingOffset, 1);
            VcpuBlocking.Wake(vcpu);
        }

        private static void RaiseSelector(Vcpu vcpu, ulong word)
        {
            PhysicalMemory memory = vcpu.Domain.Host.Memory;
            ulong selectorAddress = vcpu.VcpuInfoAddress + PendingSelectorOffset;
            ulong bit = 1UL << (int)word;
            if ((memory.SetBits64(selectorAddress, bit) & bit) != 0)
                return;
            MarkUpcallPending(vcpu);
        }

        private static bool TestBit(Domain domain, int arrayOffset, uint port)
        {
            ulong address = domain.SharedInfoAddress + (ulong)arrayOffset + port / BitsPerWord * 8;
            return (domain.Host.Memory.Read64(address) & (1UL << (int)(port % BitsPerWord))) != 0;
        }
    }
}
