using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// The in-guest side of a conformance suite. Each check prints one line
    /// <c>TEST suite/name: PASS|FAIL|SKIP detail</c>; <see cref="Finish"/> prints
    /// <c>N passed, N failed, N skipped</c>, the line the harness waits for, and returns the shutdown
    /// reason (power-off: failures are reported in text, not by crashing).
    /// The checks that print values (<see cref="Equal"/>, <see cref="Returns"/>) do so on PASS too, so
    /// that runs on Xen and on our hypervisor can be compared line by line.
    /// </summary>
    public sealed unsafe class TestSuite
    {
        private readonly string name;
        private ulong passed;
        private ulong failed;
        private ulong skipped;

        public TestSuite(string name)
        {
            this.name = name;
            GuestConsole.Line().Text("SUITE ").Text(name).Text(": start").End();
        }

        public string Name => name;
        public ulong FailedCount => failed;

        /// <summary>Prints "TEST suite/test: PASS " or "... FAIL " and returns the line for details; the
        /// caller ends it.</summary>
        public ConsoleLine Result(string test, bool ok)
        {
            if (ok)
                passed++;
            else
                failed++;
            return Begin(test).Text(ok ? "PASS" : "FAIL");
        }

        public void Pass(string test) => Result(test, true).End();

        public ConsoleLine Fail(string test) => Result(test, false).Char(' ');

        public void Skip(string test, string reason)
        {
            skipped++;
            Begin(test).Text("SKIP ").Text(reason).End();
        }

        /// <summary>PASS when <paramref name="ok"/>, else FAIL with <paramref name="failure"/>.</summary>
        public bool Check(string test, bool ok, string failure)
        {
            ConsoleLine line = Result(test, ok);
            if (!ok)
                line.Char(' ').Text(failure);
            line.End();
            return ok;
        }

        public bool Equal(string test, ulong expected, ulong actual)
        {
            bool ok = expected == actual;
            ConsoleLine line = Result(test, ok).Char(' ');
            if (ok)
                line.Dec(actual);
            else
                line.Text("expected ").Dec(expected).Text(", got ").Dec(actual);
            line.End();
            return ok;
        }

        public bool EqualHex(string test, ulong expected, ulong actual)
        {
            bool ok = expected == actual;
            ConsoleLine line = Result(test, ok).Char(' ');
            if (ok)
                line.Hex(actual);
            else
                line.Text("expected ").Hex(expected).Text(", got ").Hex(actual);
            line.End();
            return ok;
        }

        /// <summary>A hypercall result: "returned -14 (EFAULT)" on PASS, "returned X, expected Y" on FAIL.</summary>
        public bool Returns(string test, long expected, long actual)
        {
            bool ok = expected == actual;
            ConsoleLine line = Result(test, ok).Text(" returned ").Result(actual);
            if (!ok)
                line.Text(", expected ").Result(expected);
            line.End();
            return ok;
        }

        /// <summary>A negative errno: <c>Errno("x", XenErrno.EFAULT, rc)</c> expects -EFAULT.</summary>
        public bool Errno(string test, int errno, long actual) => Returns(test, -errno, actual);

        /// <summary>
        /// A line written by this suite's code in another domain (a domU may not use the console on Xen, so
        /// its lines travel through shared memory): a TEST line of this suite is printed as it is and
        /// counted like this domain's own; any other line is printed after "peer: ", so that it is not
        /// taken for this domain's output (a summary, a kit failure).
        /// </summary>
        public void Replay(byte* line, int length)
        {
            int result = ResultOf(line, length);
            if (result < 0)
            {
                GuestConsole.Line().Text("peer: ").Bytes(line, length).End();
                return;
            }
            if (result == 0)
                passed++;
            else if (result == 1)
                failed++;
            else
                skipped++;
            GuestConsole.Line().Bytes(line, length).End();
        }

        // 0 PASS, 1 FAIL, 2 SKIP for "TEST name/test: RESULT ...", else -1.
        private int ResultOf(byte* line, int length)
        {
            int at = 0;
            if (!Matches(line, length, ref at, "TEST ") || !Matches(line, length, ref at, name) || !Matches(line, length, ref at, "/"))
                return -1;
            while (at + 1 < length && !(line[at] == (byte)':' && line[at + 1] == (byte)' '))
                at++;
            at += 2;
            int start = at;
            if (Matches(line, length, ref at, "PASS"))
                return 0;
            at = start;
            if (Matches(line, length, ref at, "FAIL"))
                return 1;
            at = start;
            return Matches(line, length, ref at, "SKIP") ? 2 : -1;
        }

        private static bool Matches(byte* line, int length, ref int at, string text)
        {
            if (at + text.Length > length)
                return false;
            for (int i = 0; i < text.Length; i++)
            {
                if (line[at + i] != (byte)text[i])
                    return false;
            }
            at += text.Length;
            return true;
        }

        /// <summary>Prints the summary line; returns the reason to shut down with.</summary>
        public uint Finish()
        {
            GuestConsole.Line().Dec(passed).Text(" passed, ").Dec(failed).Text(" failed, ").Dec(skipped).Text(" skipped").End();
            return ShutdownReason.Poweroff;
        }

        private ConsoleLine Begin(string test) => GuestConsole.Line().Text("TEST ").Text(name).Char('/').Text(test).Text(": ");
    }
}
