using System.Runtime.InteropServices;

namespace Hypervisor.Abi
{
    /// <summary>Mirrors xen.h <c>struct shared_info</c> on x86-64 (3136 bytes, at the start of the
    /// shared-info page): the first 32 vCPUs' <see cref="VcpuInfo"/>, the 2-level event-channel
    /// pending and mask bitmaps, the wall clock and <see cref="ArchSharedInfo"/>. Xen may grow the
    /// page's use, so guests must not depend on the total size.</summary>
    [StructLayout(LayoutKind.Explicit, Size = Size)]
    public unsafe struct SharedInfo
    {
        public const int Size = 3136;

        /// <summary>vCPUs whose <see cref="VcpuInfo"/> lives in this page (<c>XEN_LEGACY_MAX_VCPUS</c>);
        /// later ones need VCPUOP_register_vcpu_info.</summary>
        public const int LegacyMaxVcpus = 32;

        /// <summary>64-bit words in each event bitmap: one per bit of a vCPU's pending selector.</summary>
        public const int EventWords = 64;

        public const int VcpuInfoOffset = 0;
        public const int EvtchnPendingOffset = 2048;
        public const int EvtchnMaskOffset = 2560;
        public const int WcVersionOffset = 3072;
        public const int ArchOffset = 3088;

        /// <summary><c>vcpu_info[XEN_LEGACY_MAX_VCPUS]</c>, as bytes; use <see cref="VcpuInfoOf"/>.</summary>
        [FieldOffset(VcpuInfoOffset)] public fixed byte VcpuInfoArea[LegacyMaxVcpus * VcpuInfo.Size];

        /// <summary><c>evtchn_pending</c>: bit n set by Xen when port n fires; the guest clears it.</summary>
        [FieldOffset(EvtchnPendingOffset)] public fixed ulong EvtchnPending[EventWords];

        /// <summary><c>evtchn_mask</c>: bit n set by the guest to stop port n raising an upcall.</summary>
        [FieldOffset(EvtchnMaskOffset)] public fixed ulong EvtchnMask[EventWords];

        /// <summary><c>wc_version</c>: odd while Xen updates the wall clock, as <see cref="VcpuTimeInfo.Version"/>.</summary>
        [FieldOffset(WcVersionOffset)] public uint WcVersion;

        /// <summary><c>wc_sec</c>: low 32 bits of the wall-clock seconds at system time 0.</summary>
        [FieldOffset(3076)] public uint WcSec;

        /// <summary><c>wc_nsec</c>: nanoseconds part of the wall clock at system time 0.</summary>
        [FieldOffset(3080)] public uint WcNsec;

        /// <summary><c>wc_sec_hi</c>: high 32 bits of the wall-clock seconds (64-bit layout only).</summary>
        [FieldOffset(3084)] public uint WcSecHi;

        /// <summary><c>arch</c>: the x86 part (P2M anchors, NMI reason).</summary>
        [FieldOffset(ArchOffset)] public ArchSharedInfo Arch;

        /// <summary>The <see cref="VcpuInfo"/> of vCPU <paramref name="vcpu"/> (below <see cref="LegacyMaxVcpus"/>).</summary>
        public static VcpuInfo* VcpuInfoOf(SharedInfo* shared, int vcpu) => (VcpuInfo*)shared + vcpu;
    }
}
