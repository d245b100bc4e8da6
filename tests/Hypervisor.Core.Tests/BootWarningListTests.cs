using Hypervisor.Core.Boot;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests
{
    public class BootWarningListTests
    {
        [Fact]
        public void WriteTo_PrintsMessageSubjectAndValues()
        {
            var list = new BootWarningList();
            list.Add("plain");
            list.Add("hex", 0x1000);
            list.AddDecimal("count", 17);
            list.AddRange("range", 0x1000, 0x2000);
            list.AddSubject("unknown option:", Ascii.Bytes("frob"));
            list.Add("two", 1, 2);

            var (log, sink) = CapturingSink.NewLog();
            list.WriteTo(log);

            Assert.Equal(
                "(HV) Warning: plain\n" +
                "(HV) Warning: hex 0x0000000000001000\n" +
                "(HV) Warning: count 17\n" +
                "(HV) Warning: range [0x0000000000001000, 0x0000000000002000)\n" +
                "(HV) Warning: unknown option: 'frob'\n" +
                "(HV) Warning: two 0x0000000000000001 0x0000000000000002\n",
                sink.Text);
        }

        [Fact]
        public void OverCapacity_CountsDroppedAndSaysSo()
        {
            var list = new BootWarningList(2);
            list.Add("a");
            list.Add("b");
            list.Add("c");
            list.Add("d");
            Assert.Equal(2, list.Count);
            Assert.Equal(2, list.Dropped);

            var (log, sink) = CapturingSink.NewLog();
            list.WriteTo(log);
            Assert.EndsWith("(HV) Warning: ... and 2 more warnings not kept\n", sink.Text);
        }

        [Fact]
        public void Contains_ComparesMessageText()
        {
            var list = new BootWarningList();
            list.Add(new string("abc".ToCharArray()));
            Assert.True(list.Contains("abc"));
            Assert.False(list.Contains("abd"));
        }

        [Fact]
        public void AddSubject_CopiesTheBytes()
        {
            var list = new BootWarningList();
            var text = Ascii.Bytes("xyz");
            list.AddSubject("m", text);
            text[0] = (byte)'Q';
            Assert.Equal("xyz", Ascii.Str(list[0].Subject));
        }
    }
}
