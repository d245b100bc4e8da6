namespace Hypervisor.Arch.X86_64
{
    // The two 8259 interrupt controllers of the PC. The local APIC replaces them, but after the
    // firmware they deliver IRQ 0-7 on vectors 8-15, the CPU's exception vectors. They are moved
    // to vectors 0x20-0x2F and every line is masked.
    internal static class LegacyPic
    {
        public const int FirstVector = 0x20;

        public static void RemapAndMask()
        {
            Cpu.Out8(0x20, 0x11);                   // initialise, expect ICW4
            Cpu.Out8(0xA0, 0x11);
            Cpu.Out8(0x21, FirstVector);
            Cpu.Out8(0xA1, FirstVector + 8);
            Cpu.Out8(0x21, 0x04);                   // the secondary hangs off line 2
            Cpu.Out8(0xA1, 0x02);
            Cpu.Out8(0x21, 0x01);                   // 8086 mode
            Cpu.Out8(0xA1, 0x01);
            Cpu.Out8(0x21, 0xFF);                   // mask every line
            Cpu.Out8(0xA1, 0xFF);
        }
    }
}
