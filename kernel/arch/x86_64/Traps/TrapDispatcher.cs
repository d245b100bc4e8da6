using System.Runtime;
using Hypervisor.Core.Text;

namespace Hypervisor.Arch.X86_64
{
    // Where every interrupt and exception arrives (from asm/traps.asm; SYSCALLs go to
    // GuestExecution). Exceptions from ring 3 belong to the running guest; in ring 0 they are
    // hypervisor bugs and panic. Interrupts are the timer's (this CPU's deadline for the guests'
    // timers and its scheduler) and other CPUs' IPIs.
    internal static unsafe class TrapDispatcher
    {
        private static LogWriter s_log;
        private const ulong NonMaskableInterrupt = 2;
        private static bool s_reportedStray;
        private static bool s_reportedNmi;

        public static void Install(LogWriter log) => s_log = log;

        // Returns the frame to resume: the same one, a vCPU's register file after a guest exit, or the
        // idle loop's. A guest's exception arrives with the core lock taken (asm/traps.asm); an
        // interrupt is acknowledged first, and its handler takes the lock if it needs it.
        [RuntimeExport("hv_trap")]
        private static TrapFrame* OnTrap(TrapFrame* frame, PerCpu* cpu)
        {
            ulong vector = frame->Vector;
            if ((vector < 32 || vector == 256) && (frame->Cs & 3) == 3 && !UsesOwnStack(vector))
                return GuestExecution.OnExit(frame, cpu);   // a guest's exception or SYSCALL
            if (vector < 32 || vector == 256)
            {
                if (GuestCopy.TryRecover(frame))
                    return frame;   // a bad guest pointer met in a copy: the copy reports it
                if (vector == NonMaskableInterrupt)
                {
                    Report(ref s_reportedNmi, "non-maskable interrupt ignored (reported once)", vector);
                    return frame;
                }
                Panic.OnTrap(frame);
                return frame;
            }
            if (vector == LocalApic.TimerVector)
            {
                cpu->Ticks++;
                if (cpu->Index == 0)
                    LocalApic.Ticks++;   // the boot CPU's count, read at start of day
                LocalApic.EndOfInterrupt();
                return GuestExecution.OnTimer(frame, cpu);
            }
            if (vector == LocalApic.IpiVector)
            {
                LocalApic.EndOfInterrupt();
                return InterProcessorInterrupts.OnIpi(frame, cpu);
            }
            if (vector == GuestExecution.IdleScrubVector && (frame->Cs & 3) == 0)
                return GuestExecution.OnIdleScrub(frame, cpu);   // a software interrupt: no end-of-interrupt
            if (vector == LocalApic.SpuriousVector || (vector >= LegacyPic.FirstVector && vector < LegacyPic.FirstVector + 16))
                return frame;   // spurious: no end-of-interrupt is owed
            Report(ref s_reportedStray, "unexpected interrupt ignored (reported once)", vector);
            LocalApic.EndOfInterrupt();
            return frame;
        }

        // NMI, #DF and #MC arrive on their own (IST) stacks, even from a guest: they are the
        // machine's or the hypervisor's events, never a guest exit.
        private static bool UsesOwnStack(ulong vector) => DescriptorTables.StackSlotOf((int)vector) != 0;

        private static void Report(ref bool reported, string what, ulong vector)
        {
            if (reported)
                return;
            reported = true;
            s_log.Warning().Text(what).Text(": vector ").Dec(vector).End();
        }
    }
}
