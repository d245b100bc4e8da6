using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// The registers at the kernel's first instruction (xen.h and the PV domain builder): RSI points to
    /// start_info, RSP to the end of the bootstrap stack, CS and SS are the flat kernel selectors, the
    /// data segment registers hold the flat kernel data selector (null for 64-bit), RFLAGS has IF set
    /// and IOPL 0, and every other general register is zero.
    /// </summary>
    internal static unsafe class EntryTests
    {
        public static void Run(TestSuite suite, StartInfo* start)
        {
            EntryRegisters* r = EntryRegisters.Saved;
            suite.EqualHex("entry_rsi_start_info", (ulong)start, r->Rsi);

            ConsoleLine line = default;
            int nonZero = 0;
            CheckZero(ref line, ref nonZero, suite, "RAX", r->Rax);
            CheckZero(ref line, ref nonZero, suite, "RBX", r->Rbx);
            CheckZero(ref line, ref nonZero, suite, "RCX", r->Rcx);
            CheckZero(ref line, ref nonZero, suite, "RDX", r->Rdx);
            CheckZero(ref line, ref nonZero, suite, "RDI", r->Rdi);
            CheckZero(ref line, ref nonZero, suite, "RBP", r->Rbp);
            CheckZero(ref line, ref nonZero, suite, "R8", r->R8);
            CheckZero(ref line, ref nonZero, suite, "R9", r->R9);
            CheckZero(ref line, ref nonZero, suite, "R10", r->R10);
            CheckZero(ref line, ref nonZero, suite, "R11", r->R11);
            CheckZero(ref line, ref nonZero, suite, "R12", r->R12);
            CheckZero(ref line, ref nonZero, suite, "R13", r->R13);
            CheckZero(ref line, ref nonZero, suite, "R14", r->R14);
            CheckZero(ref line, ref nonZero, suite, "R15", r->R15);
            if (nonZero == 0)
                suite.Pass("entry_other_registers_zero");
            else
                line.End();

            bool selectors = r->Cs == FlatSelector.KernelCs && r->Ss == FlatSelector.KernelSs
                && r->Ds == FlatSelector.KernelDs && r->Es == FlatSelector.KernelDs
                && r->Fs == FlatSelector.KernelDs && r->Gs == FlatSelector.KernelDs;
            suite.Result("entry_selectors", selectors).Text(" CS ").Hex(r->Cs, 4).Text(" SS ").Hex(r->Ss, 4)
                .Text(" DS ").Hex(r->Ds, 4).Text(" ES ").Hex(r->Es, 4).Text(" FS ").Hex(r->Fs, 4).Text(" GS ").Hex(r->Gs, 4).End();

            const ulong interruptFlag = 1UL << 9, iopl = 3UL << 12;
            suite.Result("entry_rflags", (r->Rflags & interruptFlag) != 0 && (r->Rflags & iopl) == 0)
                .Text(" ").Hex(r->Rflags, 8).End();
        }

        private static void CheckZero(ref ConsoleLine line, ref int nonZero, TestSuite suite, string name, ulong value)
        {
            if (value == 0)
                return;
            if (nonZero++ == 0)
                line = suite.Fail("entry_other_registers_zero");
            else
                line.Text(", ");
            line.Text(name).Text("=").Hex(value);
        }
    }
}
