using System.Text;
using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.Hypercalls
{
    public class ConsoleIoHypercallTests
    {
        private static long Write(TestDomain t, string text)
        {
            t.WriteText(t.Scratch, text);
            return t.Hypercall(HypercallNumber.ConsoleIo, ConsoleIoCommand.Write, (ulong)text.Length, t.Scratch);
        }

        /// <summary>What the call added to the console.</summary>
        private static string Output(TestDomain t, System.Func<long> call, out long rc)
        {
            int before = t.Console.Bytes.Count;
            rc = call();
            return Encoding.ASCII.GetString(t.Console.Bytes.GetRange(before, t.Console.Bytes.Count - before).ToArray());
        }

        [Fact]
        public void Write_PrintsALineWithTheDomainsPrefix()
        {
            var t = TestDomain.Create();
            string output = Output(t, () => Write(t, "hello, world\n"), out long rc);
            Assert.Equal(0, rc);
            Assert.Equal("(d0) hello, world\n", output);
        }

        [Fact]
        public void Write_SplitsAtNewlines()
        {
            var t = TestDomain.Create();
            string output = Output(t, () => Write(t, "one\ntwo\n\nthree\n"), out long rc);
            Assert.Equal(0, rc);
            Assert.Equal("(d0) one\n(d0) two\n(d0) \n(d0) three\n", output);
        }

        [Fact]
        public void Write_APartialLineWaitsForItsEnd()
        {
            var t = TestDomain.Create();
            Assert.Equal("", Output(t, () => Write(t, "abc"), out long rc));
            Assert.Equal(0, rc);
            Assert.Equal("(d0) abcdef\n", Output(t, () => Write(t, "def\nghi"), out rc));
            Assert.Equal(3, t.Domain.ConsoleLineLength);
        }

        [Fact]
        public void Write_ThePendingLineIsPrintedWhenTheDomainShutsDown()
        {
            var t = TestDomain.Create();
            Write(t, "last words");
            DomainLifecycle.Shutdown(t.Domain, ShutdownReason.Poweroff);
            Assert.Contains("(d0) last words\n", t.ConsoleText);
            Assert.Equal(0, t.Domain.ConsoleLineLength);
        }

        [Fact]
        public void Write_CarriageReturnsAreDropped_UnprintableBytesShownAsQuestionMarks()
        {
            var t = TestDomain.Create();
            string output = Output(t, () => Write(t, "a\r\nb\x1b[1mc\td\x7f\n"), out long rc);
            Assert.Equal(0, rc);
            Assert.Equal("(d0) a\n(d0) b?[1mc\td?\n", output);
        }

        [Fact]
        public void Write_ALongLineIsCutIntoLinesOf256()
        {
            var t = TestDomain.Create();
            string text = new string('x', 300) + "\n";
            string output = Output(t, () => Write(t, text), out long rc);
            Assert.Equal(0, rc);
            Assert.Equal("(d0) " + new string('x', 256) + "\n(d0) " + new string('x', 44) + "\n", output);
        }

        [Fact]
        public void Write_ALineOfExactly256_IsOneLine()
        {
            var t = TestDomain.Create();
            string output = Output(t, () => Write(t, new string('y', 256) + "\n"), out long rc);
            Assert.Equal(0, rc);
            Assert.Equal("(d0) " + new string('y', 256) + "\n", output);
        }

        [Fact]
        public void Write_ManyChunks()
        {
            var t = TestDomain.Create();
            var text = new StringBuilder();
            for (int i = 0; i < 100; i++)
            {
                text.Append("line ").Append(i).Append('\n');
            }

            string output = Output(t, () => Write(t, text.ToString()), out long rc);
            Assert.Equal(0, rc);
            Assert.StartsWith("(d0) line 0\n(d0) line 1\n", output);
            Assert.EndsWith("(d0) line 98\n(d0) line 99\n", output);
        }

        [Fact]
        public void Write_CountZeroPrintsNothing_EvenWithANullBuffer()
        {
            var t = TestDomain.Create();
            Assert.Equal("", Output(t, () => t.Hypercall(HypercallNumber.ConsoleIo, ConsoleIoCommand.Write, 0, 0), out long rc));
            Assert.Equal(0, rc);
            Assert.Equal("", Output(t, () => t.Hypercall(HypercallNumber.ConsoleIo, ConsoleIoCommand.Write, 0, t.Scratch), out rc));
            Assert.Equal(0, rc);
        }

        [Fact]
        public void Write_CountIsThirtyTwoBits()
        {
            var t = TestDomain.Create();
            t.WriteText(t.Scratch, "ok\n");
            string output = Output(t, () => t.Hypercall(HypercallNumber.ConsoleIo, ConsoleIoCommand.Write, (1UL << 32) | 3, t.Scratch), out long rc);
            Assert.Equal(0, rc);
            Assert.Equal("(d0) ok\n", output);
        }

        [Theory]
        [InlineData(0UL)]
        [InlineData(TestDomain.UnmappedAddress)]
        [InlineData(0xFFFF_8000_0000_0000UL)]     // the hypervisor's range (the M2P)
        [InlineData(0x8000_0000_0000_0000UL)]     // non-canonical
        public void Write_BadPointer_Efault(ulong buffer)
        {
            var t = TestDomain.Create();
            Assert.Equal("", Output(t, () => t.Hypercall(HypercallNumber.ConsoleIo, ConsoleIoCommand.Write, 16, buffer), out long rc));
            Assert.Equal(-XenErrno.EFAULT, rc);
            Assert.True(t.Domain.IsAlive);
        }

        [Fact]
        public void Write_RunningOffTheMapping_Efault()
        {
            var t = TestDomain.Create();
            ulong edge = t.Layout.MappedEnd - 8;
            Assert.Equal(-XenErrno.EFAULT, t.Hypercall(HypercallNumber.ConsoleIo, ConsoleIoCommand.Write, 16, edge));
        }

        [Fact]
        public void Read_ReturnsNothing()
        {
            var t = TestDomain.Create();
            t.WriteText(t.Scratch, "unchanged");
            Assert.Equal(0, t.Hypercall(HypercallNumber.ConsoleIo, ConsoleIoCommand.Read, 9, t.Scratch));
            Assert.Equal("unchanged", Encoding.ASCII.GetString(t.Read(t.Scratch, 9)));
            Assert.Equal(0, t.Hypercall(HypercallNumber.ConsoleIo, ConsoleIoCommand.Read, 0, 0));
            Assert.Equal(-XenErrno.E2BIG, t.Hypercall(HypercallNumber.ConsoleIo, ConsoleIoCommand.Read, 0x8000_0000, t.Scratch));
        }

        [Theory]
        [InlineData(2UL)]
        [InlineData(99UL)]
        [InlineData(0xFFFF_FFFFUL)]
        public void UnknownSubOp_Enosys(ulong command)
        {
            var t = TestDomain.Create();
            t.WriteText(t.Scratch, "abcd");
            Assert.Equal("", Output(t, () => t.Hypercall(HypercallNumber.ConsoleIo, command, 4, t.Scratch), out long rc));
            Assert.Equal(-XenErrno.ENOSYS, rc);
        }

        [Fact]
        public void CommandIsThirtyTwoBits()
        {
            var t = TestDomain.Create();
            t.WriteText(t.Scratch, "x\n");
            Assert.Equal(0, t.Hypercall(HypercallNumber.ConsoleIo, (1UL << 32) | ConsoleIoCommand.Write, 2, t.Scratch));
        }

        [Fact]
        public void UnprivilegedDomain_Eperm()
        {
            var t = TestDomain.Create(o => { o.Privileged = false; o.DomainId = 5; });
            string output = Output(t, () => Write(t, "let me out\n"), out long rc);
            Assert.Equal(-XenErrno.EPERM, rc);
            Assert.Equal("", output);
            Assert.Equal(-XenErrno.EPERM, t.Hypercall(HypercallNumber.ConsoleIo, ConsoleIoCommand.Read, 1, t.Scratch));
        }

        [Fact]
        public void ThePrefixCarriesTheDomainId()
        {
            var t = TestDomain.Create(o => o.DomainId = 12);
            Assert.Equal("(d12) hi\n", Output(t, () => Write(t, "hi\n"), out _));
        }
    }
}
