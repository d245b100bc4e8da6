using System;
using System.Text;
using Hypervisor.Core.Tests.Support;
using Hypervisor.Core.Text;
using Moq;
using Xunit;

namespace Hypervisor.Core.Tests
{
    public class LogWriterTests
    {
        [Fact]
        public void InfoLine_HasPrefixAndEndsWithSingleNewline()
        {
            var (log, sink) = CapturingSink.NewLog(LogLevel.Info);
            log.Begin(LogLevel.Info).Text("Memory: ").Dec(512L).Text(" MiB usable").End();
            Assert.Equal("(HV) Memory: 512 MiB usable\n", sink.Text);
        }

        [Fact]
        public void WarningAndErrorLines_CarryTheirLabel()
        {
            var (log, sink) = CapturingSink.NewLog(LogLevel.Debug);
            log.Warning().Text("low memory").End();
            log.Error().Text("no RAM").End();
            Assert.Equal("(HV) Warning: low memory\n(HV) Error: no RAM\n", sink.Text);
        }

        [Fact]
        public void Sink_ReceivesExactBytes_InOrder()
        {
            var sink = new Mock<ConsoleSink>(MockBehavior.Strict);
            var sequence = new MockSequence();
            foreach (char c in "(HV) ok\n")
            {
                sink.InSequence(sequence).Setup(s => s.Write((byte)c));
            }

            var log = new LogWriter(sink.Object, LogLevel.Info);
            log.Info().Text("ok").End();

            sink.Verify(s => s.Write(It.IsAny<byte>()), Times.Exactly(8));
        }

        [Theory]
        [InlineData(LogLevel.Error, "E")]
        [InlineData(LogLevel.Warning, "EW")]
        [InlineData(LogLevel.Info, "EWI")]
        [InlineData(LogLevel.Debug, "EWID")]
        [InlineData(LogLevel.None, "")]
        public void LinesAboveTheConfiguredLevel_AreDroppedEntirely(LogLevel configured, string expectedLetters)
        {
            var (log, sink) = CapturingSink.NewLog(configured);
            log.Error().Text("E").End();
            log.Warning().Text("W").End();
            log.Info().Text("I").End();
            log.Debug().Text("D").End();

            var letters = new StringBuilder();
            foreach (var line in sink.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                letters.Append(line[^1]);
            }

            Assert.Equal(expectedLetters, letters.ToString());
        }

        [Fact]
        public void DroppedLine_WritesNothingAtAll()
        {
            var sink = new Mock<ConsoleSink>();
            var log = new LogWriter(sink.Object, LogLevel.Warning);
            var line = log.Debug();
            Assert.False(line.IsEnabled);
            line.Text("x").Dec(1L).Hex(2).Size(3).Char('c').Text(new byte[] { 65 }).End();
            sink.Verify(s => s.Write(It.IsAny<byte>()), Times.Never);
        }

        [Fact]
        public void LevelCanBeChangedAfterConstruction()
        {
            var (log, sink) = CapturingSink.NewLog(LogLevel.Error);
            log.Info().Text("hidden").End();
            log.Level = LogLevel.Info;
            log.Info().Text("shown").End();
            Assert.Equal("(HV) shown\n", sink.Text);
        }

        [Theory]
        [InlineData(0UL, "0x0000000000000000")]
        [InlineData(0xdeadbeefUL, "0x00000000deadbeef")]
        [InlineData(ulong.MaxValue, "0xffffffffffffffff")]
        public void Hex_PrintsSixteenDigits(ulong value, string expected)
        {
            Assert.Equal(expected, Format(l => l.Hex(value)));
        }

        [Theory]
        [InlineData(0x2UL, 4, "0x0002")]
        [InlineData(0x12345UL, 2, "0x12345")]
        [InlineData(0UL, 1, "0x0")]
        [InlineData(0xABUL, 0, "0xab")]
        [InlineData(0xABUL, 40, "0x00000000000000ab")]
        public void Hex_WithDigits_PadsButNeverTruncates(ulong value, int digits, string expected)
        {
            Assert.Equal(expected, Format(l => l.Hex(value, digits)));
        }

        [Theory]
        [InlineData(0UL, "0")]
        [InlineData(7UL, "7")]
        [InlineData(1234567890UL, "1234567890")]
        [InlineData(ulong.MaxValue, "18446744073709551615")]
        public void Dec_Unsigned(ulong value, string expected)
        {
            Assert.Equal(expected, Format(l => l.Dec(value)));
        }

        [Theory]
        [InlineData(-1L, "-1")]
        [InlineData(42L, "42")]
        [InlineData(long.MinValue, "-9223372036854775808")]
        [InlineData(long.MaxValue, "9223372036854775807")]
        public void Dec_Signed(long value, string expected)
        {
            Assert.Equal(expected, Format(l => l.Dec(value)));
        }

        [Theory]
        [InlineData(0UL, "0 B")]
        [InlineData(1023UL, "1023 B")]
        [InlineData(1024UL, "1 KiB")]
        [InlineData(1536UL, "1.5 KiB")]
        [InlineData(640UL * 1024, "640 KiB")]
        [InlineData(511UL << 20, "511 MiB")]
        [InlineData(512UL << 20, "512 MiB")]
        [InlineData(3UL << 30, "3 GiB")]
        [InlineData(3UL << 29, "1.5 GiB")]
        [InlineData((2UL << 30) - 1, "1.9 GiB")]  // truncated, not rounded to 2.0
        [InlineData((512UL << 20) + 4096, "512.0 MiB")] // ".0": a little more than 512 MiB
        [InlineData(1UL << 40, "1 TiB")]
        [InlineData(ulong.MaxValue, "15.9 EiB")]
        public void Size_UsesLargestUnitAndOneTruncatedDecimal(ulong bytes, string expected)
        {
            Assert.Equal(expected, Format(l => l.Size(bytes)));
        }

        [Fact]
        public void ByteText_ShowsNonPrintablesAsQuestionMarks()
        {
            byte[] firmware = { (byte)'G', (byte)'R', 0x00, (byte)'\n', 0x7F, 0xC3, (byte)'B' };
            Assert.Equal("GR????B", Format(l => l.Text(firmware)));
            Assert.Equal("GR????B", Format(l => l.Text(new ReadOnlySpan<byte>(firmware))));
        }

        [Fact]
        public void NullByteText_PrintsNothing()
        {
            Assert.Equal("ab", Format(l => l.Text("a").Text((byte[])null).Text("b")));
        }

        [Fact]
        public void Char_AndNonAsciiLiteral()
        {
            Assert.Equal("x=y?", Format(l => l.Char('x').Char('=').Char('y').Text("\u00e9")));
        }

        [Fact]
        public void NewlineInsideLiteral_StartsPrefixedContinuationLine()
        {
            var (log, sink) = CapturingSink.NewLog();
            log.Info().Text("first\nsecond").End();
            Assert.Equal("(HV) first\n(HV) second\n", sink.Text);
        }

        [Fact]
        public void LiteralEndingInNewline_DoesNotProduceBlankLine()
        {
            var (log, sink) = CapturingSink.NewLog();
            log.Info().Text("done\n").End();
            log.Info().Text("next").End();
            Assert.Equal("(HV) done\n(HV) next\n", sink.Text);
        }

        [Fact]
        public void ConsoleSink_DefaultSpanWrite_WritesEachByte()
        {
            // Castle proxies cannot intercept methods taking a ref struct, so a hand-written sink is used.
            var sink = new CapturingSink();
            sink.Write(new ReadOnlySpan<byte>(new byte[] { 1, 2, 3 }));
            Assert.Equal(new byte[] { 1, 2, 3 }, sink.Bytes.ToArray());
        }

        private static string Format(Func<LogLine, LogLine> build)
        {
            var (log, sink) = CapturingSink.NewLog();
            build(log.Info()).End();
            var text = sink.Text;
            Assert.StartsWith("(HV) ", text);
            Assert.EndsWith("\n", text);
            return text.Substring(5, text.Length - 6);
        }
    }
}
