using Hypervisor.Core.Text;

namespace Hypervisor.Arch.X86_64
{
    // A 16550 UART (COM1 by default) as the hypervisor's console: 8 data bits, no parity,
    // one stop bit. Newlines become CR LF, as terminals expect.
    internal sealed class SerialPort : ConsoleSink
    {
        private readonly ushort _base;

        public SerialPort(ushort basePort, uint baud)
        {
            _base = basePort;
            uint divisor = baud == 0 || baud > 115200 ? 1 : 115200 / baud;
            Cpu.Out8((ushort)(_base + 1), 0x00);                    // no UART interrupts
            Cpu.Out8((ushort)(_base + 3), 0x80);                    // divisor latch access
            Cpu.Out8((ushort)(_base + 0), (byte)divisor);
            Cpu.Out8((ushort)(_base + 1), (byte)(divisor >> 8));
            Cpu.Out8((ushort)(_base + 3), 0x03);                    // 8N1
            Cpu.Out8((ushort)(_base + 2), 0xC7);                    // FIFOs on and cleared
            Cpu.Out8((ushort)(_base + 4), 0x03);                    // DTR, RTS
        }

        public override void Write(byte value)
        {
            if (value == (byte)'\n')
                Put((byte)'\r');
            Put(value);
        }

        // Waits until the last character has left the UART (transmitter empty), so nothing is
        // lost when the machine stops or powers off right after.
        public override void Flush()
        {
            for (int spin = 0; spin < 1000000 && (Cpu.In8((ushort)(_base + 5)) & 0x40) == 0; spin++)
                Cpu.Pause();
        }

        private void Put(byte value)
        {
            // Wait for room in the transmitter, but never forever: a missing UART must not hang boot.
            for (int spin = 0; spin < 100000 && (Cpu.In8((ushort)(_base + 5)) & 0x20) == 0; spin++)
                Cpu.Pause();
            Cpu.Out8(_base, value);
        }
    }
}
