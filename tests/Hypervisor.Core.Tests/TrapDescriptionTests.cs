using System;
using Hypervisor.Core.Tests.Support;
using Hypervisor.Core.Text;
using Hypervisor.Core.Traps;
using Xunit;

namespace Hypervisor.Core.Tests
{
    public class TrapDescriptionTests
    {
        private static string Line(Func<LogLine, LogLine> build)
        {
            var (log, sink) = CapturingSink.NewLog();
            build(log.Error()).End();
            return sink.Text;
        }

        [Theory]
        [InlineData(0, "#DE", "Divide error")]
        [InlineData(1, "#DB", "Debug exception")]
        [InlineData(2, "NMI", "Non-maskable interrupt")]
        [InlineData(3, "#BP", "Breakpoint")]
        [InlineData(4, "#OF", "Overflow")]
        [InlineData(5, "#BR", "BOUND range exceeded")]
        [InlineData(6, "#UD", "Invalid opcode")]
        [InlineData(7, "#NM", "Device not available")]
        [InlineData(8, "#DF", "Double fault")]
        [InlineData(10, "#TS", "Invalid TSS")]
        [InlineData(11, "#NP", "Segment not present")]
        [InlineData(12, "#SS", "Stack-segment fault")]
        [InlineData(13, "#GP", "General protection fault")]
        [InlineData(14, "#PF", "Page fault")]
        [InlineData(16, "#MF", "x87 floating-point error")]
        [InlineData(17, "#AC", "Alignment check")]
        [InlineData(18, "#MC", "Machine check")]
        [InlineData(19, "#XM", "SIMD floating-point exception")]
        [InlineData(20, "#VE", "Virtualization exception")]
        [InlineData(21, "#CP", "Control protection exception")]
        [InlineData(9, "", "Coprocessor segment overrun")]
        [InlineData(15, "", "Reserved exception")]
        [InlineData(31, "", "Reserved exception")]
        [InlineData(32, "", "Interrupt")]
        [InlineData(255, "", "Interrupt")]
        public void Names(int vector, string mnemonic, string name)
        {
            Assert.Equal(mnemonic, TrapDescription.Mnemonic(vector));
            Assert.Equal(name, TrapDescription.Name(vector));
        }

        [Fact]
        public void ErrorCodeVectors_AreExactlyTheArchitecturalOnes()
        {
            var withCode = new[] { 8, 10, 11, 12, 13, 14, 17, 21, 29, 30 };
            for (int v = 0; v < 256; v++)
            {
                Assert.Equal(Array.IndexOf(withCode, v) >= 0, TrapDescription.PushesErrorCode(v));
            }
        }

        [Theory]
        [InlineData(0x0UL, "not-present, read, supervisor")]
        [InlineData(0x2UL, "not-present, write, supervisor")]
        [InlineData(0x7UL, "protection-violation, write, user")]
        [InlineData(0x15UL, "protection-violation, read, user, instruction-fetch")]
        [InlineData(0x9UL, "protection-violation, read, supervisor, reserved-bit")]
        [InlineData(0x23UL, "protection-violation, write, supervisor, protection-key")]
        [InlineData(0x43UL, "protection-violation, write, supervisor, shadow-stack")]
        [InlineData(0x8001UL, "protection-violation, read, supervisor, sgx")]
        public void PageFaultErrorCodes(ulong code, string words)
        {
            Assert.Equal("(HV) Error: " + words + "\n", Line(l => TrapDescription.DescribePageFaultError(l, code)));
        }

        [Theory]
        [InlineData(0x0UL, "no selector")]
        [InlineData(0x18UL, "GDT index 3 (selector 0x0018)")]
        [InlineData(0x2CUL, "LDT index 5 (selector 0x0028)")]
        [InlineData(0x6AUL, "IDT vector 13")]
        [InlineData(0x73UL, "external, IDT vector 14")]
        [InlineData(0x19UL, "external, GDT index 3 (selector 0x0018)")]
        public void SelectorErrorCodes(ulong code, string words)
        {
            Assert.Equal("(HV) Error: " + words + "\n", Line(l => TrapDescription.DescribeSelectorError(l, code)));
        }

        [Fact]
        public void Describe_PageFault()
        {
            Assert.Equal("(HV) Error: vector 14 #PF Page fault, error 0x0002 (not-present, write, supervisor)\n",
                Line(l => TrapDescription.Describe(l, 14, 2)));
        }

        [Fact]
        public void Describe_GeneralProtection()
        {
            Assert.Equal("(HV) Error: vector 13 #GP General protection fault, error 0x0000 (no selector)\n",
                Line(l => TrapDescription.Describe(l, 13, 0)));
        }

        [Fact]
        public void Describe_InvalidOpcode_HasNoErrorCode()
        {
            Assert.Equal("(HV) Error: vector 6 #UD Invalid opcode\n", Line(l => TrapDescription.Describe(l, 6, 0xFFFF)));
        }

        [Fact]
        public void Describe_DoubleFault_ShowsCodeWithoutDecoding()
        {
            Assert.Equal("(HV) Error: vector 8 #DF Double fault, error 0x0000\n", Line(l => TrapDescription.Describe(l, 8, 0)));
        }

        [Fact]
        public void Describe_ControlProtection()
        {
            Assert.Equal("(HV) Error: vector 21 #CP Control protection exception, error 0x0003 (missing ENDBRANCH)\n",
                Line(l => TrapDescription.Describe(l, 21, 3)));
        }

        [Fact]
        public void Describe_Interrupt()
        {
            Assert.Equal("(HV) Error: vector 48 Interrupt\n", Line(l => TrapDescription.Describe(l, 48, 0)));
        }

        [Fact]
        public void Describe_OnFilteredLine_WritesNothing()
        {
            var (log, sink) = CapturingSink.NewLog(LogLevel.Error);
            TrapDescription.Describe(log.Debug(), 14, 7).End();
            Assert.Empty(sink.Bytes);
        }
    }
}
