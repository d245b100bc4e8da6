using System.Runtime;
using Hypervisor.Core.Text;

namespace Hypervisor.Arch.X86_64
{
    // Where every interrupt, exception and SYSCALL arrives (from asm/traps.asm). Exceptions and
    // SYSCALLs from ring 3 belong to the running guest; in ring 0 they are hypervisor bugs and
    // panic. Interrupts are the timer's ticks.
    internal static unsafe class TrapDispatcher
    {
        private static LogWriter s_log;
        private static bool s_reportedStray;

        public static void Install(LogWriter log) => s_log = log;

        [RuntimeExport("hv_trap")]
        private static void OnTrap(TrapFrame* frame)
        {
            ulong vector = frame->Vector;
            if ((vector < 32 || vector == 256) && (frame->Cs & 3) == 3)
            {
                GuestExecution.OnExit(frame);   // a guest's exception or SYSCALL
                return;
            }
            if (vector < 32 || vector == 256)
            {
                Panic.OnTrap(frame);
                return;
            }
            if (vector == LocalApic.TimerVector)
            {
                LocalApic.Ticks++;
                LocalApic.EndOfInterrupt();
                return;
            }
            if (vector == LocalApic.SpuriousVector || (vector >= LegacyPic.FirstVector && vector < LegacyPic.FirstVector + 16))
                return;   // spurious: no end-of-interrupt is owed
            if (!s_reportedStray)
            {
                s_reportedStray = true;
                s_log.Warning().Text("unexpected interrupt on vector ").Dec(vector).Text(" ignored (reported once)").End();
            }
            LocalApic.EndOfInterrupt();
        }
    }
}
