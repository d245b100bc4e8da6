namespace Hypervisor.Arch.X86_64
{
    // The legacy 8254 timer, used once at boot as a known clock (1,193,182 Hz) to measure the
    // local APIC timer and the TSC. Channel 2 is used because its output can be polled (port 0x61)
    // without interrupts.
    internal static class Pit
    {
        // Counts `ticks` PIT ticks (at most 65535) and returns false if the PIT never finished,
        // as on a machine without one.
        public static bool Wait(ushort ticks)
        {
            byte control = Cpu.In8(0x61);
            Cpu.Out8(0x61, (byte)((control & 0xFC) | 0x01));   // gate on, speaker off
            Cpu.Out8(0x43, 0xB0);                               // channel 2, low then high byte, mode 0
            Cpu.Out8(0x42, (byte)ticks);
            Cpu.Out8(0x42, (byte)(ticks >> 8));
            control = Cpu.In8(0x61);
            Cpu.Out8(0x61, (byte)(control & 0xFE));             // a rising gate edge starts the count
            Cpu.Out8(0x61, (byte)(control | 0x01));
            for (ulong spin = 0; spin < 200_000_000UL; spin++)
            {
                if ((Cpu.In8(0x61) & 0x20) != 0)
                    return true;
            }
            return false;
        }
    }
}
