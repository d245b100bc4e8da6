using System.Runtime.CompilerServices;

namespace Hypervisor.Core.Domains
{
    /// <summary>
    /// The vCPU state behind the CPU-state hypercalls (physdev_op I/O permissions, vcpu_op) that the
    /// rest of the core does not need to see.
    /// </summary>
    public sealed partial class Vcpu
    {
        /// <summary>Guest-virtual address of the I/O permission bitmap (PHYSDEVOP_set_iobitmap): a set
        /// bit denies its port, as in a TSS. Read through the guest kernel's page tables when a port
        /// access is checked, so the guest may change it at any time.</summary>
        public ulong IoBitmapAddress;

        /// <summary>How many ports, from 0, the bitmap covers (0: no bitmap).</summary>
        public uint IoBitmapPorts;

        /// <summary>The frame that holds this vCPU's vcpu_info since VCPUOP_register_vcpu_info, with a
        /// general and a writable type reference held on it; only valid when
        /// <see cref="HasRegisteredVcpuInfo"/> (Xen allows one registration per vCPU).</summary>
        public ulong VcpuInfoFrame;
        public bool HasRegisteredVcpuInfo;

        /// <summary>Guest-virtual address of the runstate copy registered with
        /// VCPUOP_register_runstate_memory_area (0: none).</summary>
        public ulong RunstateArea;

        /// <summary>Guest-virtual address of the vcpu_time_info copy registered with
        /// VCPUOP_register_vcpu_time_memory_area (0: none), rewritten with every time stamp.</summary>
        public ulong TimeArea;

        /// <summary>Taken down with VCPUOP_down (it stays initialised; VCPUOP_up brings it back).</summary>
        public bool IsDown;

        /// <summary>A vCPU is initialised once it has a kernel page-table base: the domain builder gives
        /// vCPU 0 one, VCPUOP_initialise would give the others theirs.</summary>
        public bool IsInitialised
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => KernelTableFrame != 0;
        }

        /// <summary>VCPUOP_is_up: initialised and not taken down.</summary>
        public bool IsUp
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get => IsInitialised && !IsDown;
        }
    }
}
