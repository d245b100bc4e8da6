using Hypervisor.Core.Time;

namespace Hypervisor.Arch.X86_64
{
    // The local APIC (xAPIC, memory-mapped: every CPU sees its own at the same address), its timer,
    // which gives the hypervisor its tick, and the interrupts between CPUs. The timer's input clock is
    // unknown until the boot CPU measures it against the PIT; the other CPUs share that clock.
    internal static unsafe class LocalApic
    {
        public const int TimerVector = 0xF0;
        /// <summary>The one IPI vector for now (InterProcessorInterrupts): wakes an idle CPU, later a
        /// reschedule request.</summary>
        public const int IpiVector = 0xF1;
        public const int SpuriousVector = 0xFF;
        public const uint Divider = 16;
        /// <summary>The highest APIC id an xAPIC can address (0xFF is the broadcast id).</summary>
        public const uint HighestXApicId = 0xFE;

        private const int RegisterId = 0x20;
        private const int RegisterVersion = 0x30;
        private const int RegisterTaskPriority = 0x80;
        private const int RegisterEndOfInterrupt = 0xB0;
        private const int RegisterSpurious = 0xF0;
        private const int RegisterErrorStatus = 0x280;
        private const int RegisterCommandLow = 0x300;
        private const int RegisterCommandHigh = 0x310;
        private const int RegisterLvtTimer = 0x320;
        private const int RegisterInitialCount = 0x380;
        private const int RegisterCurrentCount = 0x390;
        private const int RegisterDivide = 0x3E0;
        private const uint LvtMasked = 1u << 16;
        private const uint LvtPeriodic = 1u << 17;
        private const uint CommandPending = 1u << 12;     // delivery status
        private const uint CommandAssert = 1u << 14;
        private const uint CommandLevel = 1u << 15;
        private const uint DeliveryInit = 5u << 8;
        private const uint DeliveryStartup = 6u << 8;
        // Waiting for the APIC to accept a command: far longer than any real APIC takes.
        private const int CommandSpins = 1_000_000;

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

        /// <summary>The boot CPU's: finds the registers, then enables its APIC.</summary>
        public static void Enable()
        {
            ulong msr = Cpu.ReadMsr(Cpu.MsrApicBase);
            PhysicalBase = msr & 0x000FFFFFFFFFF000UL;
            s_registers = PhysicalWindow.ToVirtual(PhysicalBase);
            EnableThisCpu();
        }

        /// <summary>Enables the calling CPU's APIC as the boot CPU's: all priorities accepted, the timer
        /// masked on its vector, the spurious vector; on another CPU also the boot CPU's timer divider,
        /// so that <see cref="ArmOneShot"/> means the same time on every CPU.</summary>
        public static void EnableThisCpu()
        {
            Cpu.WriteMsr(Cpu.MsrApicBase, Cpu.ReadMsr(Cpu.MsrApicBase) | (1UL << 11));
            Write(RegisterTaskPriority, 0);
            Write(RegisterLvtTimer, LvtMasked | TimerVector);
            Write(RegisterSpurious, 0x100 | SpuriousVector);
            if (TimerFrequencyHz != 0 && TimerCalibration.TryEncodeDivider(Divider, out uint divide))
                Write(RegisterDivide, divide);
        }

        /// <summary>Sends <paramref name="vector"/> to CPU <paramref name="cpuIndex"/> (a PerCpu index).
        /// False when the index is not an online CPU or its APIC did not accept the command.</summary>
        public static bool SendIpi(int cpuIndex, byte vector)
        {
            if (cpuIndex < 0 || cpuIndex >= PerCpu.CpuCount || !PerCpu.Of(cpuIndex)->IsOnline)
                return false;
            return SendCommand(PerCpu.Of(cpuIndex)->ApicId, vector);
        }

        /// <summary>Sends <paramref name="vector"/> to every other online CPU; returns how many took it.
        /// One at a time rather than the all-but-self shorthand, which would also reach CPUs left
        /// offline (maxcpus=, or failed to start).</summary>
        public static int SendIpiToOthers(byte vector)
        {
            int self = PerCpu.CurrentCpu;
            int sent = 0;
            for (int cpu = 0; cpu < PerCpu.CpuCount; cpu++)
            {
                if (cpu != self && SendIpi(cpu, vector))
                    sent++;
            }
            return sent;
        }

        /// <summary>INIT to the CPU with <paramref name="apicId"/>: asserted, then de-asserted, as the MP
        /// specification's start-up sequence (and Linux) does. INIT also parks a CPU that failed to start.</summary>
        public static bool SendInit(uint apicId)
        {
            bool accepted = SendCommand(apicId, DeliveryInit | CommandLevel | CommandAssert);
            return SendCommand(apicId, DeliveryInit | CommandLevel) && accepted;
        }

        /// <summary>A start-up IPI: the CPU (waiting after INIT) starts in real mode at page <paramref name="page"/>.</summary>
        public static bool SendStartup(uint apicId, byte page)
        {
            Write(RegisterErrorStatus, 0);
            return SendCommand(apicId, DeliveryStartup | page);
        }

        // One interrupt command. The two command registers are written with interrupts off, so that an
        // interrupt handler sending an IPI cannot come between them.
        private static bool SendCommand(uint apicId, uint low)
        {
            bool interrupts = (Cpu.ReadFlags() & (1UL << 9)) != 0;
            Cpu.DisableInterrupts();
            bool accepted = WaitForCommand();
            if (accepted)
            {
                Write(RegisterCommandHigh, apicId << 24);
                Write(RegisterCommandLow, low);
                accepted = WaitForCommand();
            }
            if (interrupts)
                Cpu.EnableInterrupts();
            return accepted;
        }

        private static bool WaitForCommand()
        {
            for (int i = 0; i < CommandSpins; i++)
            {
                if ((Read(RegisterCommandLow) & CommandPending) == 0)
                    return true;
                Cpu.Pause();
            }
            return false;
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
            PeriodHz = 0;
            ArmOneShotOnly(nanoseconds);
        }

        /// <summary><see cref="ArmOneShot"/> without touching <see cref="PeriodHz"/>, the boot CPU's
        /// reported rate: for the other CPUs' timer check.</summary>
        public static void ArmOneShotOnly(ulong nanoseconds)
        {
            if (nanoseconds > MaxOneShotNanoseconds)
                nanoseconds = MaxOneShotNanoseconds;
            ulong ticks = nanoseconds * (TimerFrequencyHz / Divider) / 1_000_000_000UL;
            if (ticks == 0)
                ticks = 1;
            if (ticks > 0xFFFFFFFFUL)
                ticks = 0xFFFFFFFFUL;
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
