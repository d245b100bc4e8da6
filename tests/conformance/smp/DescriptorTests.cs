using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// A descriptor changed by vCPU 0 reaches the GDT of vCPU 1 on the other CPU: vCPU 1 takes a GDT of
    /// one frame (set_gdt) and reads the limit of a data segment in it with LSL over and over; vCPU 0
    /// rewrites that descriptor with update_descriptor, and vCPU 1 must read the new limit, as it reads
    /// the frame itself on Xen.
    /// </summary>
    internal static unsafe class DescriptorTests
    {
        private const ushort Selector = 0x0b;                  // entry 1, RPL 3
        private const ulong FirstLimit = 0x1234, SecondLimit = 0x5678;
        private const ulong Timeout = 1_000_000_000;

        public static void Run(TestSuite suite)
        {
            ulong* gdt = (ulong*)GuestMemory.AllocatePages(1);
            for (int i = 0; i < 512; i++)
                gdt[i] = 0;
            gdt[1] = DataSegment(FirstLimit);
            ulong frame = MachineFrames.Of(gdt);
            // A GDT frame may not be writable anywhere: its only mapping becomes read-only.
            if (!suite.Returns("gdt_frame_read_only", 0,
                    Hypercalls.UpdateVaMapping((ulong)gdt, Mmu.Entry(frame, false), UpdateVaMappingFlags.Invlpg | UpdateVaMappingFlags.All)))
                return;
            ulong* list = (ulong*)GuestMemory.Allocate(8);
            *list = frame;
            SecondVcpuBlock* block = SecondVcpu.Block;
            block->GdtList = (ulong)list;
            block->GdtDone = 0;
            block->Selector = Selector;
            block->LimitSeen = 0;
            if (!suite.Check("second_vcpu_reads_descriptors", SecondVcpu.SetMode(SecondVcpu.Descriptor), "it did not take the DESCRIPTOR mode"))
                return;
            bool first = SeenWithin(FirstLimit) != ulong.MaxValue;
            suite.Result("second_vcpu_set_gdt", block->GdtDone != 0 && block->GdtResult == 0 && first)
                .Text(" set_gdt returned ").Result(block->GdtResult).Text(", LSL gave ").Hex(block->LimitSeen).End();
            if (!first)
            {
                SecondVcpu.SetMode(SecondVcpu.Spin);
                return;
            }
            long rc = Hypercalls.Raw(HypercallNumber.UpdateDescriptor, (frame << 12) + Selector / 8 * 8, DataSegment(SecondLimit), 0);
            ulong took = rc == 0 ? SeenWithin(SecondLimit) : ulong.MaxValue;
            ConsoleLine line = suite.Result("update_descriptor_reaches_other_vcpu", rc == 0 && took != ulong.MaxValue);
            if (rc != 0)
                line.Text(" update_descriptor returned ").Result(rc);
            else if (took == ulong.MaxValue)
                line.Text(" vCPU 1 still reads limit ").Hex(block->LimitSeen).Text(" after 1 s");
            else
                line.Text(" vCPU 1 read the new limit after ").Dec(took / 1000).Text(" us");
            line.End();
            SecondVcpu.SetMode(SecondVcpu.Spin);
        }

        // A present read/write data segment, DPL 3, byte granular, base 0.
        private static ulong DataSegment(ulong limit) => (limit & 0xFFFF) | ((limit >> 16 & 0xF) << 48) | (0xF2UL << 40) | (1UL << 54);

        private static ulong SeenWithin(ulong limit)
        {
            ulong start = GuestClock.Now();
            while (true)
            {
                ulong now = GuestClock.Now();
                if (SecondVcpu.Block->LimitSeen == limit)
                    return now - start;
                if (now - start > Timeout)
                    return ulong.MaxValue;
            }
        }
    }
}
