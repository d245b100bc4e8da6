using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// <c>int n</c> against the trap table's privilege levels (trap_info flags bits 0-1): a 64-bit PV kernel
    /// counts as privilege 1, user mode as 3, so DPL 3 lets everyone raise the vector, DPL 1 the kernel
    /// only, DPL 0 nobody. A refused <c>int n</c> is #GP with error code n*8+2 (IDT, external clear) at
    /// the int instruction; a permitted one reaches the handler with RIP after the instruction and
    /// returns there. Vectors 0x40-0x44 are installed here; 0x45 never is (DPL 0).
    /// </summary>
    internal static unsafe class SoftwareInterruptTests
    {
        private static bool s_resume;

        /// <summary>Resumes software interrupts (vectors from 0x20) after the int instruction.</summary>
        private static bool ResumeSoftwareInterrupts(TrapFrame* frame) => s_resume && frame->Vector >= 0x20;

        public static void Install(TestSuite suite)
        {
            long rc = TrapTable.SetEntry(0x40, 3, true);
            if (rc == 0) rc = TrapTable.SetEntry(0x41, 1, true);
            if (rc == 0) rc = TrapTable.SetEntry(0x42, 0, true);
            if (rc == 0) rc = TrapTable.SetEntry(0x43, 3, true);
            if (rc == 0) rc = TrapTable.SetEntry(0x44, 3, false);
            suite.Returns("set_trap_table_software_vectors", 0, rc);
            TrapTable.SetHook(&ResumeSoftwareInterrupts);
        }

        public static void Run(TestSuite suite)
        {
            Kernel(suite);
            if (!UserMode.Ready)
            {
                suite.Skip("user_software_interrupts", "user mode unavailable");
                return;
            }
            User(suite);
        }

        private static void Kernel(TestSuite suite)
        {
            KernelDelivered(suite, "kernel_int_0x40_dpl3_delivered", Routines.KernelInt_0x40, 0x40);
            KernelDelivered(suite, "kernel_int_0x41_dpl1_delivered", Routines.KernelInt_0x41, 0x41);
            TrapExpect.Kernel(suite, "kernel_int_0x42_dpl0_refused", Routines.KernelInt_0x42, 0, 13, 0x42 * 8 + 2, fault: true);
            TrapExpect.Kernel(suite, "kernel_int_0x45_unset_refused", Routines.KernelInt_0x45, 0, 13, 0x45 * 8 + 2, fault: true);
            TrapExpect.Kernel(suite, "kernel_int_5_dpl0_refused", Routines.KernelInt_5, 0, 13, 5 * 8 + 2, fault: true);
            TrapExpect.Kernel(suite, "kernel_int_13_dpl0_refused", Routines.KernelInt_13, 0, 13, 13 * 8 + 2, fault: true);
        }

        private static void User(TestSuite suite)
        {
            UserDelivered(suite, "user_int_0x40_dpl3_delivered", Routines.UserInt_0x40, 0x40);
            TrapExpect.User(suite, "user_int_0x41_dpl1_refused", Routines.UserInt_0x41, 0, 13, 0x41 * 8 + 2, fault: true);
            TrapExpect.User(suite, "user_int_0x42_dpl0_refused", Routines.UserInt_0x42, 0, 13, 0x42 * 8 + 2, fault: true);
            TrapExpect.User(suite, "user_int_0x45_unset_refused", Routines.UserInt_0x45, 0, 13, 0x45 * 8 + 2, fault: true);
            TrapExpect.User(suite, "user_int_5_dpl0_refused", Routines.UserInt_5, 0, 13, 5 * 8 + 2, fault: true);
            TrapExpect.User(suite, "user_int_13_dpl0_refused", Routines.UserInt_13, 0, 13, 13 * 8 + 2, fault: true);
        }

        private static void KernelDelivered(TestSuite suite, string test, Routine routine, int vector)
        {
            ulong before = TrapTable.Count;
            s_resume = true;
            int trapped = GuardedCall.Run(routine.Entry, 0, out _);
            s_resume = false;
            Judge(suite, test, routine, vector, trapped < 0 && TrapTable.Count == before + 1, trapped, TrapExpect.KernelCs);
        }

        private static void UserDelivered(TestSuite suite, string test, Routine routine, int vector)
        {
            ulong before = TrapTable.Count;
            s_resume = true;
            int trapped = TrapExpect.RunUser(routine, 0);
            s_resume = false;
            Judge(suite, test, routine, vector, trapped == -1 && TrapTable.Count == before + 1, trapped, TrapExpect.UserCs);
        }

        private static void Judge(TestSuite suite, string test, Routine routine, int vector, bool resumed, int trapped, ushort cs)
        {
            TrapFrame* f = TrapTable.LastFrame;
            bool ok = resumed && f->Vector == (ulong)vector && f->Rip == routine.After && (f->Cs & 0xFFFF) == cs;
            ConsoleLine line = suite.Result(test, ok).Char(' ');
            if (!ok)
                line.Text("expected vector ").Hex((ulong)vector).Text(" with RIP after the int, CS ").Hex(cs, 4).Text(", resumed; got ");
            if (trapped >= 0)
                line.Text("the routine ended by ").Text(TrapNames.Mnemonic((ulong)trapped)).Text(" (vector ").Hex((ulong)trapped).Text("), ");
            line.Text("last trap vector ").Hex(f->Vector).Text(" error code ").Hex(f->ErrorCode).Text(" RIP ")
                .Text(f->Rip == routine.After ? "after the int" : f->Rip == routine.At ? "at the int" : "elsewhere").Text(" CS ").Hex(f->Cs & 0xFFFF, 4).End();
        }
    }
}
