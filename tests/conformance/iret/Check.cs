using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>Comparisons the suite's tests share: stored registers against their patterns, xmm
    /// registers against theirs, and the way a user-mode run ended.</summary>
    internal static unsafe class Check
    {
        /// <summary>PASS when the stored registers whose bit is set in <paramref name="which"/> hold their
        /// pattern; the line names the ones that do not.</summary>
        public static void Registers(TestSuite suite, string test, uint which)
        {
            ulong* saved = Routines.SavedRegisters;
            int wrong = 0;
            for (int i = 0; i < 15; i++)
            {
                if ((which & (1u << i)) != 0 && saved[i] != Routines.Pattern(i + 1))
                    wrong++;
            }
            ConsoleLine line = suite.Result(test, wrong == 0).Char(' ');
            if (wrong == 0)
            {
                line.Text("every checked register kept its value").End();
                return;
            }
            for (int i = 0; i < 15; i++)
            {
                if ((which & (1u << i)) != 0 && saved[i] != Routines.Pattern(i + 1))
                    line.Text(Routines.RegisterName(i)).Text(" expected ").Hex(Routines.Pattern(i + 1)).Text(" got ").Hex(saved[i]).Text("; ");
            }
            line.End();
        }

        /// <summary>PASS when xmm0-15 as stored hold their patterns.</summary>
        public static bool Xmm(TestSuite suite, string test, string extra, bool extraOk)
        {
            byte* saved = Routines.SavedFpu;
            byte* pattern = Routines.XmmPatterns;
            uint wrong = 0;
            for (int r = 0; r < 16; r++)
            {
                for (int b = 0; b < 16; b++)
                {
                    if (saved[r * 16 + b] != pattern[r * 16 + b])
                    {
                        wrong |= 1u << r;
                        break;
                    }
                }
            }
            ConsoleLine line = suite.Result(test, wrong == 0 && extraOk).Char(' ');
            if (wrong == 0)
                line.Text("xmm0-15 kept their values");
            else
                line.Text("xmm registers changed (bit per register): ").Hex(wrong);
            if (extra != null)
                line.Text(extra);
            line.End();
            return wrong == 0 && extraOk;
        }

        /// <summary>True when the last run ended with the exit syscall; otherwise fails the test with how it ended.</summary>
        public static bool Exited(TestSuite suite, string test, ulong exit)
        {
            if (exit == UserExit.Syscall)
                return true;
            ConsoleLine line = suite.Fail(test).Text("expected the exit syscall, got ").Text(UserExit.Name(exit));
            if (exit == UserExit.Trap)
                line.Text(": ").Text(TrapNames.Mnemonic(UserMode.LastVector)).Text(" vector ").Dec(UserMode.LastVector)
                    .Text(" error code ").Hex(UserMode.LastErrorCode).Text(" at RIP ").Hex(UserMode.LastRegisters->Rip);
            line.End();
            return false;
        }
    }
}
