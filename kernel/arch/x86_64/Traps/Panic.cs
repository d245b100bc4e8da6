using Hypervisor.Core.Text;
using Hypervisor.Core.Traps;

namespace Hypervisor.Arch.X86_64
{
    // The last thing the hypervisor says when it finds a bug in itself: what happened, decoded,
    // with the registers and the top of the stack, then the CPU stops. Guest faults never come
    // here; they are the guest's business.
    internal static unsafe class Panic
    {
        private static LogWriter s_log;
        private static int s_panicking;

        public static void Install(LogWriter log) => s_log = log;

        public static void OnTrap(TrapFrame* frame)
        {
            Enter();
            int vector = (int)frame->Vector;
            LogLine line = Line().Text("PANIC: ");
            if (vector == 256)
                line.Text("SYSCALL executed in the hypervisor (no guest can run yet)");
            else
                TrapDescription.Describe(line, vector, frame->ErrorCode);
            line.Text(" in the hypervisor at RIP=").Hex(frame->Rip).End();
            ReportCpu();
            Line().Text("  CR2=").Hex(Cpu.ReadCr2()).Text(" CR3=").Hex(Cpu.ReadCr3()).Text(" CR0=").Hex(Cpu.ReadCr0()).Text(" CR4=").Hex(Cpu.ReadCr4()).End();
            Line().Text("  RAX=").Hex(frame->Rax).Text(" RBX=").Hex(frame->Rbx).Text(" RCX=").Hex(frame->Rcx).Text(" RDX=").Hex(frame->Rdx).End();
            Line().Text("  RSI=").Hex(frame->Rsi).Text(" RDI=").Hex(frame->Rdi).Text(" RBP=").Hex(frame->Rbp).Text(" RSP=").Hex(frame->Rsp).End();
            Line().Text("  R8 =").Hex(frame->R8).Text(" R9 =").Hex(frame->R9).Text(" R10=").Hex(frame->R10).Text(" R11=").Hex(frame->R11).End();
            Line().Text("  R12=").Hex(frame->R12).Text(" R13=").Hex(frame->R13).Text(" R14=").Hex(frame->R14).Text(" R15=").Hex(frame->R15).End();
            Line().Text("  RFLAGS=").Hex(frame->Rflags).Text(" CS=").Hex(frame->Cs, 4).Text(" SS=").Hex(frame->Ss, 4).End();
            DumpStack(frame->Rsp);
            Stop();
        }

        public static void OnRuntimeFailure(string reason)
        {
            Enter();
            Line().Text("PANIC: runtime failure in the hypervisor: ").Text(reason).End();
            ReportCpu();
            DumpStack(Cpu.ReadStackPointer());
            Stop();
        }

        public static void Fatal(string reason)
        {
            Enter();
            Line().Text("PANIC: ").Text(reason).End();
            ReportCpu();
            Stop();
        }

        // Panic lines go out at any log level and without the "Error:" tag of ordinary errors:
        // the first one says PANIC, the rest are its details.
        private static LogLine Line() => s_log.Begin(LogLevel.Info);

        // The first CPU to panic reports; the others are stopped (an IPI each: they may be in guests or
        // idle), and a CPU that panics while another reports stops quietly, as does a fault while
        // reporting a fault.
        private static void Enter()
        {
            Cpu.DisableInterrupts();
            fixed (int* panicking = &s_panicking)
            {
                if (s_log == null || Cpu.AtomicExchange(panicking, 1) != 0)
                    Cpu.HaltForever();
            }
            CrossCpuRequests.HaltOthers();
            s_log.Level = LogLevel.Debug;   // a panic is always printed in full
        }

        private static void ReportCpu()
        {
            if (PerCpu.CpuCount > 1)
                Line().Text("  on CPU ").Dec((ulong)Cpu.CurrentIndex()).Text(" of ").Dec((ulong)PerCpu.CpuCount).Text("; the others are stopped").End();
        }

        private static void DumpStack(ulong rsp)
        {
            Line().Text("  stack at ").Hex(rsp).Text(":").End();
            for (int row = 0; row < 6; row++)
            {
                LogLine line = Line().Text("   ");
                for (int column = 0; column < 4; column++)
                {
                    ulong address = rsp + (ulong)(row * 32 + column * 8);
                    if ((address & 7) == 0 && HypervisorPageTables.IsMapped(address))
                        line.Char(' ').Hex(Cpu.ReadQword(address));
                    else
                        line.Text(" (unmapped)        ");
                }
                line.End();
            }
        }

        private static void Stop()
        {
            Line().Text("System halted.").End();
            s_log.Sink.Flush();
            Cpu.HaltForever();
        }
    }
}
