using System.Runtime.InteropServices;

namespace Hypervisor.Abi
{
    /// <summary>Mirrors xen.h <c>struct vcpu_info</c> (64 bytes on x86): per-vCPU event state and
    /// time, in <see cref="SharedInfo"/> or wherever VCPUOP_register_vcpu_info placed it.</summary>
    [StructLayout(LayoutKind.Explicit, Size = Size)]
    public struct VcpuInfo
    {
        public const int Size = 64;

        /// <summary><c>evtchn_upcall_pending</c>: set by Xen when an event is pending for this vCPU;
        /// the guest clears it before scanning, so a new event is never lost.</summary>
        [FieldOffset(0)] public byte EvtchnUpcallPending;

        /// <summary><c>evtchn_upcall_mask</c>: non-zero stops upcalls (the PV guest's "interrupts off").
        /// Xen clears it when the vCPU blocks.</summary>
        [FieldOffset(1)] public byte EvtchnUpcallMask;

        /// <summary><c>evtchn_pending_sel</c>: bit w set when word w of
        /// <see cref="SharedInfo.EvtchnPending"/> gained an unmasked pending port.</summary>
        [FieldOffset(8)] public ulong EvtchnPendingSel;

        /// <summary><c>arch</c>: the x86 part (the faulting CR2).</summary>
        [FieldOffset(16)] public ArchVcpuInfo Arch;

        /// <summary><c>time</c>: this vCPU's system-time parameters.</summary>
        [FieldOffset(32)] public VcpuTimeInfo Time;
    }
}
