using Hypervisor.Core.Time;

namespace Hypervisor.Arch.X86_64
{
    // The boot CPU's local APIC (xAPIC, memory-mapped) and its timer, which gives the hypervisor
    // its periodic tick. The timer's input clock is unknown until measured against the PIT.
    internal static unsafe class LocalApic
    {
        public const int TimerVector = 0xF0;
        public const int SpuriousVector = 0xFF;
        public const uint Divider = 16;

        private const int RegisterId = 0x20;
        private const int RegisterVersion = 0x30;
        private const int RegisterTaskPriority = 0x80;
        private const int RegisterEndOfInterrupt = 0xB0;
        private const int RegisterSpurious = 0xF0;
        private const int RegisterLvtTimer = 0x320;
        private const int RegisterInitialCount = 0x380;
        private const int RegisterCurrentCount = 0x390;
        private const int RegisterDivide = 0x3E0;
        private const uint LvtMasked = 1u << 16;
        private const uint LvtPeriodic = 1u << 17;

        // One PIT interval of the calibration: 10 ms.
        public const ushort CalibrationPitTicks = 11932;
        private const int CalibrationRounds = 5;

        private static byte* s_registers;

        public static ulong PhysicalBase { get; private set; }
        public static ulong TimerFrequencyHz { get; private set; }
        public static ulong TscFrequencyHz { get; private set; }
        public static uint PeriodHz { get; private set; }
        public static ulong Ticks;

        public static uint Id => Read(RegisterId) >> 24;
        public static uint Version => Read(RegisterVersion) & 0xFF;

        private static uint Read(int register) => *(uint*)(s_registers + register);
        private static void Write(int register, uint value) => *(uint*)(s_registers + register) = value;

        public static void Enable()
        {
            ulong msr = Cpu.ReadMsr(Cpu.MsrApicBase);
            PhysicalBase = msr & 0x000FFFFFFFFFF000UL;
            Cpu.WriteMsr(Cpu.MsrApicBase, msr | (1UL << 11));
            s_registers = PhysicalWindow.ToVirtual(PhysicalBase);
            Write(RegisterTaskPriority, 0);
            Write(RegisterLvtTimer, LvtMasked | TimerVector);
            Write(RegisterSpurious, 0x100 | SpuriousVector);
        }

        public static void EndOfInterrupt() => Write(RegisterEndOfInterrupt, 0);

        // Measures the timer's input clock (and the TSC's) over several 10 ms PIT intervals and
        // keeps the median, because an emulated machine's clocks jitter.
        public static TimerCalibrationStatus Calibrate()
        {
            TimerCalibration.TryEncodeDivider(Divider, out uint divide);
            Write(RegisterDivide, divide);
            ulong* apic = stackalloc ulong[CalibrationRounds];
            ulong* tsc = stackalloc ulong[CalibrationRounds];
            for (int round = 0; round < CalibrationRounds; round++)
            {
                Write(RegisterLvtTimer, LvtMasked | TimerVector);
                Write(RegisterInitialCount, 0xFFFFFFFF);
                ulong tscStart = Cpu.ReadTsc();
                bool finished = Pit.Wait(CalibrationPitTicks);
                uint remaining = Read(RegisterCurrentCount);
                tsc[round] = Cpu.ReadTsc() - tscStart;
                Write(RegisterInitialCount, 0);
                if (!finished)
                    return TimerCalibrationStatus.NoPitTicks;
                apic[round] = 0xFFFFFFFFUL - remaining;
            }
            TimerCalibrationStatus status = TimerCalibration.ComputeFrequency(Median(apic, CalibrationRounds), Divider, CalibrationPitTicks, out ulong bus);
            if (status != TimerCalibrationStatus.Ok)
                return status;
            TimerFrequencyHz = bus;
            TscFrequencyHz = Median(tsc, CalibrationRounds) * TimerCalibration.PitFrequencyHz / CalibrationPitTicks;
            return TimerCalibrationStatus.Ok;
        }

        public static TimerCalibrationStatus StartPeriodic(uint hz)
        {
            TimerCalibrationStatus status = TimerCalibration.ComputeInitialCount(TimerFrequencyHz, Divider, hz, out uint count);
            if (status != TimerCalibrationStatus.Ok)
                return status;
            PeriodHz = hz;
            Write(RegisterLvtTimer, LvtPeriodic | TimerVector);
            Write(RegisterInitialCount, count);
            return TimerCalibrationStatus.Ok;
        }

        /// <summary>Longest one-shot interval armed: the count register is 32 bits, and the hypervisor
        /// wants to look at its timers at least this often anyway.</summary>
        public const ulong MaxOneShotNanoseconds = 1_000_000_000;

        /// <summary>Switches the timer to one-shot mode and arms it to fire once, about
        /// <paramref name="nanoseconds"/> from now (at least one timer tick, at most a second).</summary>
        public static void ArmOneShot(ulong nanoseconds)
        {
            if (nanoseconds > MaxOneShotNanoseconds)
                nanoseconds = MaxOneShotNanoseconds;
            ulong ticks = nanoseconds * (TimerFrequencyHz / Divider) / 1_000_000_000UL;
            if (ticks == 0)
                ticks = 1;
            if (ticks > 0xFFFFFFFFUL)
                ticks = 0xFFFFFFFFUL;
            PeriodHz = 0;
            Write(RegisterLvtTimer, TimerVector);
            Write(RegisterInitialCount, (uint)ticks);
        }

        private static ulong Median(ulong* values, int count)
        {
            for (int i = 1; i < count; i++)
            {
                ulong value = values[i];
                int j = i - 1;
                while (j >= 0 && values[j] > value) { values[j + 1] = values[j]; j--; }
                values[j + 1] = value;
            }
            return values[count / 2];
        }
    }
}
