using Hypervisor.Core.Time;

namespace Hypervisor.Arch.X86_64
{
    // The CMOS real-time clock, read once at boot for the guests' wall clock. The clock is read
    // twice until two reads agree, so an update between the fields cannot tear the time.
    internal static class RealTimeClock
    {
        private const ushort IndexPort = 0x70, DataPort = 0x71;

        public static ulong ReadUnixSeconds()
        {
            for (int attempt = 0; attempt < 10; attempt++)
            {
                WaitWhileUpdating();
                ulong first = ReadOnce();
                WaitWhileUpdating();
                if (ReadOnce() == first)
                    return first;
            }
            return ReadOnce();
        }

        private static void WaitWhileUpdating()
        {
            for (int spin = 0; spin < 100000 && (Read(0x0A) & 0x80) != 0; spin++)
                Cpu.Pause();
        }

        private static ulong ReadOnce()
        {
            byte statusB = Read(0x0B);
            bool binary = (statusB & 0x04) != 0, hours24 = (statusB & 0x02) != 0;
            int second = Value(Read(0x00), binary), minute = Value(Read(0x02), binary);
            byte hourRaw = Read(0x04);
            bool pm = !hours24 && (hourRaw & 0x80) != 0;
            int hour = Value((byte)(hourRaw & 0x7F), binary);
            if (!hours24)
                hour = hour % 12 + (pm ? 12 : 0);
            int day = Value(Read(0x07), binary), month = Value(Read(0x08), binary), year = Value(Read(0x09), binary);
            int century = Value(Read(0x32), binary);
            year += century >= 19 && century <= 30 ? century * 100 : 2000;
            if (month < 1 || month > 12 || day < 1 || day > 31)
                return 0;
            return CalendarTime.ToUnixSeconds(year, month, day, hour, minute, second);
        }

        private static int Value(byte raw, bool binary) => binary ? raw : (raw >> 4) * 10 + (raw & 0x0F);

        private static byte Read(byte register)
        {
            Cpu.Out8(IndexPort, (byte)(0x80 | register));   // bit 7 keeps NMIs disabled while selecting
            return Cpu.In8(DataPort);
        }
    }
}
