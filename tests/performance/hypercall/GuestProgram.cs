using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>
    /// The hypercall benchmark's kernel. Each operation is first tried once: if it fails, its line says
    /// n/a with the errno instead of timing a failing call. The command line may set
    /// <c>iterations=N</c> (per batch, default 1000) and <c>batches=B</c> (default 15). The last line is
    /// <c>BENCH done</c>; then the domain powers off.
    /// </summary>
    internal static unsafe class GuestProgram
    {
        public static uint Main(StartInfo* start)
        {
            ReadSettings();
            XenExtraversion extra;
            long version = Hypercalls.XenVersion(XenVersionCommand.Version, null);
            if (Hypercalls.XenVersion(XenVersionCommand.Extraversion, &extra) != 0)
                extra.Text[0] = 0;
            GuestConsole.Line().Text("BENCH info hypervisor=").Dec((ulong)version >> 16).Char('.').Dec((ulong)version & 0xFFFF)
                .Asciiz(extra.Text, XenExtraversion.Length).Text(" iterations=").Dec(Measure.Iterations)
                .Text(" batches=").Dec(Measure.Batches).End();

            Measure.Run("empty", &Operations.Empty, Measure.Iterations, 1);

            long rc = Hypercalls.XenVersion(XenVersionCommand.Version, null);
            if (rc < 0)
                Measure.NotAvailable("null_hypercall", "xen_version failed", rc);
            else
                Measure.Run("null_hypercall", &Operations.NullHypercall, Measure.Iterations, 1);

            Operations.PreparePayload();
            Operations.ConsoleWrite(0);
            if (GuestConsole.LastResult < 0)
                Measure.NotAvailable("console_write_64", "console_io write failed", GuestConsole.LastResult);
            else
                Measure.Run("console_write_64", &Operations.ConsoleWrite, Measure.Iterations / 10, 1);

            PageTables();
            TrapBounce();
            User();

            GuestConsole.Line().Text("BENCH done").End();
            return ShutdownReason.Poweroff;
        }

        private static void PageTables()
        {
            long rc = Operations.PreparePageTables();
            if (rc != 0)
            {
                Measure.NotAvailable("mmu_update", "the window's L1 entry was not found", 0);
                Measure.NotAvailable("update_va_mapping", "the window's L1 entry was not found", 0);
                return;
            }
            rc = Operations.MmuUpdateL1Result(0);
            if (rc != 0)
                Measure.NotAvailable("mmu_update", "mmu_update failed", rc);
            else
                Measure.Run("mmu_update", &Operations.MmuUpdateL1, Measure.Iterations, 1);
            Operations.RestoreWindow();

            rc = Operations.UpdateVaMappingResult(0);
            if (rc != 0)
                Measure.NotAvailable("update_va_mapping", "update_va_mapping failed", rc);
            else
                Measure.Run("update_va_mapping", &Operations.UpdateVaMapping, Measure.Iterations, 1);
            Operations.RestoreWindow();
        }

        private static void TrapBounce()
        {
            long rc = Operations.InstallUdHandler();
            if (rc != 0)
            {
                Measure.NotAvailable("trap_bounce_ud", "set_trap_table failed", rc);
                return;
            }
            Measure.Run("trap_bounce_ud", &Operations.TrapBounce, Measure.Iterations, 1);
            Operations.RestoreUdHandler();
        }

        /// <summary>User mode comes from the kit (user page tables, stack_switch, callbacks); the trips
        /// themselves are bench.asm's, with its own syscall callback while they are timed.</summary>
        private static void User()
        {
            long rc = UserMode.Initialize();
            if (rc != 0)
            {
                Measure.NotAvailable("user_round_trip", UserMode.FailedStep, rc);
                Measure.NotAvailable("user_syscall", UserMode.FailedStep, rc);
                return;
            }
            ulong exit = UserMode.Call(UserMode.ExitRoutine);
            if (exit != UserExit.Syscall)
            {
                Measure.NotAvailable("user_round_trip", "the kit's user mode did not come back with its exit syscall", 0);
                Measure.NotAvailable("user_syscall", "the kit's user mode did not come back with its exit syscall", 0);
                return;
            }
            rc = Operations.InstallSyscallEntry();
            if (rc != 0)
            {
                Measure.NotAvailable("user_round_trip", "callback_op register syscall", rc);
                Measure.NotAvailable("user_syscall", "callback_op register syscall", rc);
                return;
            }
            Measure.Run("user_round_trip", &Operations.UserRoundTrip, Measure.Iterations, 1);
            Measure.Run("user_syscall", &Operations.UserSyscalls, 1, Measure.Iterations);
            Operations.RestoreSyscallEntry();
        }

        private static void ReadSettings()
        {
            if (KernelCommandLine.TryGetValue("iterations", out byte* value, out int length)
                && Ascii.TryParseDecimal(value, length, out ulong n, out _) && n >= 10 && n <= 1000000)
                Measure.Iterations = n;
            if (KernelCommandLine.TryGetValue("batches", out value, out length)
                && Ascii.TryParseDecimal(value, length, out n, out _) && n >= 1 && n <= (ulong)Measure.MaxBatches)
                Measure.Batches = n;
        }
    }
}
