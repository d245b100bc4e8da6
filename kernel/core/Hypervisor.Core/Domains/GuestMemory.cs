using System;

namespace Hypervisor.Core.Domains
{
    /// <summary>
    /// copy_from_guest / copy_to_guest for a vCPU: guest virtual memory as its current page tables
    /// show it to ring 3 (a 64-bit PV kernel runs in ring 3, so it can only hand the hypervisor what
    /// it could touch itself). A bad guest pointer gives false (the caller's -EFAULT), never a
    /// hypervisor fault.
    /// </summary>
    public static unsafe class GuestMemory
    {
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static bool TryRead(Vcpu vcpu, ulong address, Span<byte> destination)
        {
            return vcpu.Domain.Host.PageWalk.TryRead(GuestMode.CurrentTableFrame(vcpu), address, destination);
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static bool TryWrite(Vcpu vcpu, ulong address, ReadOnlySpan<byte> source)
        {
            return vcpu.Domain.Host.PageWalk.TryWrite(GuestMode.CurrentTableFrame(vcpu), address, source);
        }

        /// <summary>Reads a guest structure in one copy.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static bool TryRead<T>(Vcpu vcpu, ulong address, out T value) where T : unmanaged
        {
            T local = default;
            bool ok = TryRead(vcpu, address, new Span<byte>(&local, sizeof(T)));
            value = local;
            return ok;
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static bool TryWrite<T>(Vcpu vcpu, ulong address, in T value) where T : unmanaged
        {
            T local = value;
            return TryWrite(vcpu, address, new ReadOnlySpan<byte>(&local, sizeof(T)));
        }

        /// <summary>Translates one guest virtual address for the vCPU's current mode (false when unmapped).</summary>
        public static bool TryTranslate(Vcpu vcpu, ulong address, bool forWrite, out ulong machineAddress)
        {
            return vcpu.Domain.Host.PageWalk.TryTranslate(GuestMode.CurrentTableFrame(vcpu), address, forWrite, out machineAddress);
        }
    }
}
