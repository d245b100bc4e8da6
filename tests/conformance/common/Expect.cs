using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>Checks of one grant operation: the hypercall's result and the operation's GNTST_* status,
    /// both printed on PASS too.</summary>
    internal static class Expect
    {
        /// <summary>PASS when the call returned 0 and the status is <paramref name="expected"/>.</summary>
        public static bool Status(TestSuite suite, string test, short expected, long rc, short status)
        {
            bool ok = rc == 0 && status == expected;
            ConsoleLine line = suite.Result(test, ok).Text(" returned ").Result(rc).Text(", status ").GrantStatus(status);
            if (!ok)
                line.Text(", expected 0 and ").GrantStatus(expected);
            line.End();
            return ok;
        }

        /// <summary>An entry's flags: "0x19 (permit_access|reading|writing)".</summary>
        public static bool Flags(TestSuite suite, string test, ushort expected, ushort actual)
        {
            bool ok = expected == actual;
            ConsoleLine line = suite.Result(test, ok).Text(" flags ");
            Describe(line, actual);
            if (!ok)
            {
                line.Text(", expected ");
                Describe(line, expected);
            }
            line.End();
            return ok;
        }

        private static void Describe(ConsoleLine line, ushort flags)
        {
            line.Hex(flags).Text(" (").Text((flags & GrantFlags.TypeMask) == GrantFlags.PermitAccess ? "permit_access" : "type " );
            if ((flags & GrantFlags.TypeMask) != GrantFlags.PermitAccess)
                line.Dec((ulong)(flags & GrantFlags.TypeMask));
            if ((flags & GrantFlags.ReadOnly) != 0)
                line.Text("|readonly");
            if ((flags & GrantFlags.Reading) != 0)
                line.Text("|reading");
            if ((flags & GrantFlags.Writing) != 0)
                line.Text("|writing");
            line.Char(')');
        }
    }
}
