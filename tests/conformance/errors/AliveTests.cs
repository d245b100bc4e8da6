using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>After all the refused requests the guest still works: a console write, a hypercall, a
    /// multicall batch, and a trap delivered through the trap table.</summary>
    internal static unsafe class AliveTests
    {
        public static void Run(TestSuite suite)
        {
            GuestConsole.Flush();
            byte* text = GuestMemory.Allocate(64);
            string line = "errors: still here\n";
            for (int i = 0; i < line.Length; i++)
                text[i] = (byte)line[i];
            suite.Returns("alive_console_write", 0, Hypercalls.ConsoleWrite(text, (uint)line.Length));

            suite.Returns("alive_xen_version", (4 << 16) | 17, Hypercalls.XenVersion(XenVersionCommand.Version, null));

            MulticallEntry* entry = (MulticallEntry*)GuestMemory.Allocate((ulong)sizeof(MulticallEntry));
            entry->Op = HypercallNumber.XenVersion;
            entry->Args[0] = XenVersionCommand.Version;
            long rc = Hypercalls.Multicall(entry, 1);
            suite.Result("alive_multicall", rc == 0 && entry->Result == ((4 << 16) | 17))
                .Text(" returned ").Result(rc).Text(", the entry's result ").Hex(entry->Result).End();

            suite.Equal("alive_trap_delivered", TrapNames.InvalidOpcode, (ulong)Probe.InvalidOpcodeVector());
        }
    }
}
