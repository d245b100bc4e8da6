using Hypervisor.Abi;
using Hypervisor.Core.Memory;

namespace Hypervisor.Core.Domains
{
    /// <summary>
    /// The rules a 64-bit PV guest's GDT and LDT descriptors must follow (Xen's check_descriptor), for
    /// set_gdt's frames and update_descriptor. The guest kernel runs in ring 3, so:
    /// <list type="bullet">
    /// <item>a not-present descriptor always faults, so it is safe as it is;</item>
    /// <item>a present code or data segment gets DPL 3 (a lower DPL is raised, not refused); base and
    /// limit do not matter in long mode;</item>
    /// <item>the only system descriptor allowed is a call gate, and only to a guest code selector (its
    /// own GDT or LDT, or the flat kernel selector); its DPL becomes 0 so that using it faults and can
    /// be emulated, the original DPL (3) kept in the selector's RPL; its reserved bits must be zero.
    /// Type 0 (the upper half of a 16-byte gate) is harmless and allowed;</item>
    /// <item>anything else (TSS, LDT, interrupt and trap gates) is refused.</item>
    /// </list>
    /// </summary>
    public static class SegmentDescriptors
    {
        private const uint Present = 1u << 15;
        private const uint DplMask = 3u << 13;
        private const uint CodeOrData = 1u << 12;
        private const uint TypeMask = 0xFu << 8;
        private const uint CallGate = 0xCu << 8;
        private const uint GateReservedBits = 0xFF;
        private const uint GuestKernelRpl = 3;

        /// <summary>Checks <paramref name="descriptor"/> and fixes it up in place; false when it is refused
        /// (it is then left as it was).</summary>
        public static bool Check(ref ulong descriptor)
        {
            uint low = (uint)descriptor;
            uint high = (uint)(descriptor >> 32);
            if ((high & Present) == 0)
                return true;

            // 64-bit PV: any DPL below the guest kernel's ring 3 becomes 3.
            uint dpl = GuestKernelRpl;
            high = (high & ~DplMask) | (dpl << 13);
            if ((high & CodeOrData) != 0)
            {
                descriptor = ((ulong)high << 32) | low;
                return true;
            }

            uint type = high & TypeMask;
            if (type == 0)
                return true;
            if (type != CallGate)
                return false;

            uint selector = low >> 16;
            if (!IsGateSelectorOkay(selector))
                return false;
            high &= ~DplMask;
            selector = (selector & ~3u) | dpl;
            low = (low & 0xFFFF) | (selector << 16);
            if ((high & GateReservedBits) != 0)
                return false;
            descriptor = ((ulong)high << 32) | low;
            return true;
        }

        // A gate may lead to the guest's own GDT entries, its LDT, or the flat kernel code selector.
        private static bool IsGateSelectorOkay(uint selector)
        {
            return (selector >> 3) < DescriptorTables.FirstReservedGdtEntry
                || selector == FlatSelector.KernelCs
                || (selector & 4) != 0;
        }
    }

    /// <summary>The frame table's check for a frame becoming a GDT/LDT page: all 512 descriptors must
    /// pass <see cref="SegmentDescriptors.Check"/>; fix-ups are written back as they are made (a refused
    /// page may keep those of the descriptors before the bad one, which are harmless).</summary>
    public sealed class SegmentDescriptorPageCheck : DescriptorPageCheck
    {
        private readonly PhysicalMemory memory;

        public SegmentDescriptorPageCheck(PhysicalMemory memory)
        {
            this.memory = memory;
        }

        public override int Validate(ushort owner, ulong frameAddress)
        {
            for (int i = 0; i < 512; i++)
            {
                ulong address = frameAddress + (ulong)i * 8;
                ulong descriptor = memory.Read64(address);
                ulong checkedDescriptor = descriptor;
                if (!SegmentDescriptors.Check(ref checkedDescriptor))
                    return -XenErrno.EINVAL;
                if (checkedDescriptor != descriptor)
                    memory.Write64(address, checkedDescriptor);
            }
            return 0;
        }
    }
}
