using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// The kit's trap table as a PV kernel uses it: set_trap_table accepted, a breakpoint delivered to
    /// the guest's handler with Xen's frame (CS with RPL 0 for the guest kernel) and the iret hypercall
    /// returning after it, a page fault reported with its address in the vCPU's arch.cr2.
    /// </summary>
    internal static unsafe class TrapTests
    {
        private static ulong s_breakpoints;
        private static ulong s_cs;
        private static ulong s_rip;

        private static bool OnTrap(TrapFrame* frame)
        {
            if (frame->Vector != TrapNames.Breakpoint)
                return false;
            s_breakpoints++;
            s_cs = frame->Cs;
            s_rip = frame->Rip;
            return true;
        }

        public static void Run(TestSuite suite)
        {
            suite.Returns("set_trap_table", 0, TrapTable.InstallResult);

            TrapTable.SetHook(&OnTrap);
            Probe.Breakpoint();
            Probe.Breakpoint();
            TrapTable.SetHook(null);
            suite.Equal("breakpoint_delivered_and_returned", 2, s_breakpoints);
            suite.Result("breakpoint_frame_kernel_cs", (s_cs & 0xFFFF) == (FlatSelector.KernelCs & ~3UL))
                .Text(" CS ").Hex(s_cs & 0xFFFF, 4).Text(", RIP ").Hex(s_rip).End();

            ulong address = 0x1000;
            int vector = Probe.ReadFaultVector(address);
            suite.Equal("page_fault_vector", TrapNames.PageFault, vector < 0 ? 0 : (ulong)vector);
            suite.EqualHex("page_fault_address", address, TrapTable.LastFaultAddress);
            vector = Probe.InvalidOpcodeVector();
            suite.Equal("invalid_opcode_delivered", TrapNames.InvalidOpcode, vector < 0 ? 0 : (ulong)vector);

            // A PV kernel runs with IOPL 0: cli is not emulated for it but reflected as #GP(0).
            vector = Probe.CliVector();
            suite.Result("cli_raises_gp", vector == TrapNames.GeneralProtection && TrapTable.LastErrorCode == 0)
                .Text(vector < 0 ? " cli went through" : " vector ").Dec(vector < 0 ? 0 : (ulong)vector)
                .Text(", error code ").Hex(TrapTable.LastErrorCode, 4).End();

            ForcedEmulation(suite);

            // The guest kernel runs in ring 3, but sees its faults as a supervisor's: no user bit.
            suite.Result("page_fault_error_code", TrapTable.LastErrorCode == 0)
                .Text(" ").Hex(TrapTable.LastErrorCode, 2).Text(" (expected 0x00: not present, read, supervisor)").End();
        }

        /// <summary>cpuid behind the forced-emulation prefix shows the hypervisor's leaves: the signature
        /// "XenVMMXenVMM" at 0x40000000 and, at 0x40000001, the version xen_version reports.</summary>
        private static void ForcedEmulation(TestSuite suite)
        {
            uint* r = stackalloc uint[4];
            int vector = Probe.ForcedEmulationCpuid(0x40000000, 0, r);
            if (vector >= 0)
            {
                suite.Fail("forced_emulation_cpuid_signature").Text("the prefix raised ").Text(TrapNames.Mnemonic((ulong)vector)).End();
                suite.Skip("forced_emulation_cpuid_version", "cpuid was not emulated");
                return;
            }
            bool signature = r[1] == 0x566E6558 && r[2] == 0x65584D4D && r[3] == 0x4D4D566E;   // "XenV" "MMXe" "nVMM"
            ConsoleLine line = suite.Result("forced_emulation_cpuid_signature", signature && r[0] >= 0x40000002).Text(" max leaf ").Hex(r[0], 8).Text(", \"");
            for (int i = 1; i < 4; i++)
            {
                for (int b = 0; b < 4; b++)
                {
                    byte c = (byte)(r[i] >> (8 * b));
                    line.Char(c >= 0x20 && c < 0x7F ? (char)c : '?');
                }
            }
            line.Text("\"").End();

            vector = Probe.ForcedEmulationCpuid(0x40000001, 0, r);
            long version = Hypercalls.XenVersion(XenVersionCommand.Version, null);
            suite.Result("forced_emulation_cpuid_version", vector < 0 && r[0] == (ulong)version)
                .Text(" leaf 0x40000001 EAX ").Hex(r[0], 8).Text(", xen_version ").Hex((ulong)version, 8).End();
        }
    }
}
