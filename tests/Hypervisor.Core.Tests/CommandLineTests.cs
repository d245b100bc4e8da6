using System;
using Hypervisor.Core.Boot;
using Hypervisor.Core.Tests.Support;
using Hypervisor.Core.Text;
using Xunit;

namespace Hypervisor.Core.Tests
{
    public class CommandLineTests
    {
        [Fact]
        public void EmptyLine_GivesDefaults()
        {
            var (o, w) = ParsedCommandLine.Of("   ");
            Assert.Equal(0, w.Count);
            Assert.Equal(ConsoleTargets.Com1, o.Console);
            Assert.Equal(115200u, o.Com1Baud);
            Assert.Equal((byte)8, o.Com1DataBits);
            Assert.Equal((byte)'n', o.Com1Parity);
            Assert.Equal((byte)1, o.Com1StopBits);
            Assert.Equal((ushort)0x3F8, o.Com1IoBase);
            Assert.Equal((byte)4, o.Com1Irq);
            Assert.Equal(LogLevel.Info, o.LogLevel);
            Assert.False(o.HasDom0Memory);
            Assert.False(o.NoReboot);
            Assert.Equal(RebootMethod.Acpi, o.Reboot);
            Assert.Equal(TestFault.None, o.TestFault);
        }

        [Fact]
        public void EveryOptionTogether()
        {
            var (o, w) = ParsedCommandLine.Of("console=com1,vga com1=9600,7e2 loglvl=debug dom0_mem=512M noreboot reboot=triple test_fault=pf");
            Assert.Equal(0, w.Count);
            Assert.Equal(ConsoleTargets.Com1 | ConsoleTargets.Vga, o.Console);
            Assert.Equal(9600u, o.Com1Baud);
            Assert.Equal((byte)7, o.Com1DataBits);
            Assert.Equal((byte)'e', o.Com1Parity);
            Assert.Equal((byte)2, o.Com1StopBits);
            Assert.Equal(LogLevel.Debug, o.LogLevel);
            Assert.True(o.HasDom0Memory);
            Assert.Equal(512UL << 20, o.Dom0MemoryBytes);
            Assert.True(o.NoReboot);
            Assert.Equal(RebootMethod.TripleFault, o.Reboot);
            Assert.Equal(TestFault.PageFault, o.TestFault);
        }

        [Theory]
        [InlineData("console=vga", ConsoleTargets.Vga)]
        [InlineData("console=none", ConsoleTargets.None)]
        [InlineData("console=com1", ConsoleTargets.Com1)]
        [InlineData("console=vga,com1", ConsoleTargets.Com1 | ConsoleTargets.Vga)]
        [InlineData("console=VGA", ConsoleTargets.Vga)]
        public void Console(string line, ConsoleTargets expected)
        {
            var (o, w) = ParsedCommandLine.Of(line);
            Assert.Equal(0, w.Count);
            Assert.Equal(expected, o.Console);
        }

        [Theory]
        [InlineData("com1=57600", 57600u, 8, 'n', 1, 0x3F8, 4)]
        [InlineData("com1=115200,8n1", 115200u, 8, 'n', 1, 0x3F8, 4)]
        [InlineData("com1=38400/1843200,8o1", 38400u, 8, 'o', 1, 0x3F8, 4)]
        [InlineData("com1=19200,,0x2f8,3", 19200u, 8, 'n', 1, 0x2F8, 3)]
        [InlineData("com1=,5s2", 115200u, 5, 's', 2, 0x3F8, 4)]
        public void Com1(string line, uint baud, int data, char parity, int stop, int ioBase, int irq)
        {
            var (o, w) = ParsedCommandLine.Of(line);
            Assert.Equal(0, w.Count);
            Assert.Equal(baud, o.Com1Baud);
            Assert.Equal((byte)data, o.Com1DataBits);
            Assert.Equal((byte)parity, o.Com1Parity);
            Assert.Equal((byte)stop, o.Com1StopBits);
            Assert.Equal((ushort)ioBase, o.Com1IoBase);
            Assert.Equal((byte)irq, o.Com1Irq);
        }

        [Fact]
        public void Com1Auto_KeepsDefaultBaudAndSetsFlag()
        {
            var (o, w) = ParsedCommandLine.Of("com1=auto");
            Assert.Equal(0, w.Count);
            Assert.True(o.Com1BaudAuto);
            Assert.Equal(115200u, o.Com1Baud);
        }

        [Theory]
        [InlineData("com1=fast")]
        [InlineData("com1=0")]
        [InlineData("com1=9600,9n1")]
        [InlineData("com1=9600,8x1")]
        [InlineData("com1=9600,8n3")]
        [InlineData("com1=9600,8n1,0x10000")]
        [InlineData("com1=9600,8n1,0x3f8,16")]
        [InlineData("com1=9600,8n1,0x3f8,4,pci")]
        [InlineData("com1=99999999999999999999999")]
        public void Com1BadValues_WarnAndKeepDefaults(string line)
        {
            var (o, w) = ParsedCommandLine.Of(line);
            Assert.Equal(1, w.Count);
            Assert.Equal(CommandLine.BadValueMessage, w[0].Message);
            Assert.Equal(line, Ascii.Str(w[0].Subject));
            Assert.Equal(115200u, o.Com1Baud);
            Assert.Equal((byte)8, o.Com1DataBits);
        }

        [Theory]
        [InlineData("loglvl=error", LogLevel.Error)]
        [InlineData("loglvl=warning", LogLevel.Warning)]
        [InlineData("loglvl=info", LogLevel.Info)]
        [InlineData("loglvl=debug", LogLevel.Debug)]
        [InlineData("loglvl=all", LogLevel.Debug)]
        [InlineData("loglvl=none", LogLevel.None)]
        [InlineData("loglvl=warning/error", LogLevel.Warning)]
        public void LogLevels(string line, LogLevel expected)
        {
            var (o, w) = ParsedCommandLine.Of(line);
            Assert.Equal(0, w.Count);
            Assert.Equal(expected, o.LogLevel);
        }

        [Theory]
        [InlineData("dom0_mem=512M", 512UL << 20)]
        [InlineData("dom0_mem=2G", 2UL << 30)]
        [InlineData("dom0_mem=2g", 2UL << 30)]
        [InlineData("dom0_mem=65536K", 64UL << 20)]
        [InlineData("dom0_mem=65536", 64UL << 20)] // no suffix: KiB, as in Xen
        [InlineData("dom0_mem=4096B", 4096UL)]
        [InlineData("dom0_mem=0x100M", 256UL << 20)]
        [InlineData("dom0-mem=1T", 1UL << 40)]      // '-' and '_' are the same in names
        public void Dom0Memory(string line, ulong bytes)
        {
            var (o, w) = ParsedCommandLine.Of(line);
            Assert.Equal(0, w.Count);
            Assert.True(o.HasDom0Memory);
            Assert.Equal(bytes, o.Dom0MemoryBytes);
        }

        [Fact]
        public void Dom0Memory_MinMaxFormsWarnAsUnsupported_ButPlainAmountIsUsed()
        {
            var (o, w) = ParsedCommandLine.Of("dom0_mem=min:128M,max:1G,512M");
            Assert.Equal(2, w.Count);
            Assert.Equal(CommandLine.UnsupportedMessage, w[0].Message);
            Assert.Equal(CommandLine.UnsupportedMessage, w[1].Message);
            Assert.Equal(512UL << 20, o.Dom0MemoryBytes);
        }

        [Theory]
        [InlineData("dom0_mem=lots")]
        [InlineData("dom0_mem=12Q")]
        [InlineData("dom0_mem=12MB")]
        [InlineData("dom0_mem=0")]
        [InlineData("dom0_mem=99999999999T")]
        public void Dom0MemoryBadValues(string line)
        {
            var (o, w) = ParsedCommandLine.Of(line);
            Assert.Equal(CommandLine.BadValueMessage, w[0].Message);
            Assert.False(o.HasDom0Memory);
        }

        [Theory]
        [InlineData("dom0_mem=-256M")]
        [InlineData("dom0_mem=50%")]
        public void Dom0MemoryRelativeForms_AreUnsupported(string line)
        {
            var (o, w) = ParsedCommandLine.Of(line);
            Assert.Equal(CommandLine.UnsupportedMessage, w[0].Message);
            Assert.False(o.HasDom0Memory);
        }

        [Theory]
        [InlineData("noreboot", true)]
        [InlineData("noreboot=1", true)]
        [InlineData("noreboot=yes", true)]
        [InlineData("noreboot=on", true)]
        [InlineData("noreboot=false", false)]
        [InlineData("noreboot=0", false)]
        [InlineData("noreboot no-noreboot", false)]
        [InlineData("reboot=no", true)]
        [InlineData("reboot=n", true)]
        public void NoReboot(string line, bool expected)
        {
            var (o, w) = ParsedCommandLine.Of(line);
            Assert.Equal(0, w.Count);
            Assert.Equal(expected, o.NoReboot);
        }

        [Theory]
        [InlineData("", false)]
        [InlineData("dom0_crash_reboot", true)]
        [InlineData("dom0_crash_reboot=1", true)]
        [InlineData("dom0_crash_reboot=off", false)]
        public void Dom0CrashReboot_DefaultsToPowerOff(string line, bool expected)
        {
            var (o, w) = ParsedCommandLine.Of(line);
            Assert.Equal(0, w.Count);
            Assert.Equal(expected, o.RebootOnDom0Crash);
        }

        [Theory]
        [InlineData("reboot=acpi", RebootMethod.Acpi)]
        [InlineData("reboot=kbd", RebootMethod.Keyboard)]
        [InlineData("reboot=k", RebootMethod.Keyboard)]
        [InlineData("reboot=triple", RebootMethod.TripleFault)]
        [InlineData("reboot=t", RebootMethod.TripleFault)]
        [InlineData("reboot=kbd reboot=a", RebootMethod.Acpi)]
        [InlineData("reboot=warm,kbd", RebootMethod.Keyboard)]
        public void Reboot(string line, RebootMethod expected)
        {
            var (o, w) = ParsedCommandLine.Of(line);
            Assert.Equal(0, w.Count);
            Assert.Equal(expected, o.Reboot);
        }

        [Theory]
        [InlineData("test_fault=ud", TestFault.InvalidOpcode)]
        [InlineData("test_fault=pf", TestFault.PageFault)]
        [InlineData("test_fault=gp", TestFault.GeneralProtection)]
        [InlineData("test_fault=de", TestFault.DivideError)]
        [InlineData("test_fault=none", TestFault.None)]
        [InlineData("test-fault=gp", TestFault.GeneralProtection)]
        public void TestFaults(string line, TestFault expected)
        {
            var (o, w) = ParsedCommandLine.Of(line);
            Assert.Equal(0, w.Count);
            Assert.Equal(expected, o.TestFault);
        }

        [Fact]
        public void UnknownOption_WarnsNamingIt_AndParsingContinues()
        {
            var (o, w) = ParsedCommandLine.Of("sched=credit2 loglvl=error frobnicate");
            Assert.Equal(2, w.Count);
            Assert.Equal(CommandLine.UnknownOptionMessage, w[0].Message);
            Assert.Equal("sched", Ascii.Str(w[0].Subject));
            Assert.Equal("frobnicate", Ascii.Str(w[1].Subject));
            Assert.Equal(LogLevel.Error, o.LogLevel);
        }

        [Theory]
        [InlineData("loglvl=verbose")]
        [InlineData("reboot=bios")]
        [InlineData("test_fault=nmi")]
        [InlineData("console=com2")]
        [InlineData("noreboot=maybe")]
        public void BadValue_WarnsWithTheWholeOption_AndKeepsDefault(string line)
        {
            var (o, w) = ParsedCommandLine.Of(line + " test_fault=ud");
            Assert.Equal(1, w.Count);
            Assert.Equal(CommandLine.BadValueMessage, w[0].Message);
            Assert.Equal(line, Ascii.Str(w[0].Subject));
            Assert.Equal(LogLevel.Info, o.LogLevel);
            Assert.Equal(ConsoleTargets.Com1, o.Console);
            Assert.False(o.NoReboot);
            Assert.Equal(TestFault.InvalidOpcode, o.TestFault); // parsing continued
        }

        [Theory]
        [InlineData("loglvl")]
        [InlineData("loglvl=")]
        [InlineData("console")]
        [InlineData("dom0_mem=")]
        public void MissingValue_Warns(string line)
        {
            var (_, w) = ParsedCommandLine.Of(line);
            Assert.Equal(1, w.Count);
            Assert.Equal(CommandLine.MissingValueMessage, w[0].Message);
        }

        [Fact]
        public void NoPrefixOnNonBoolean_Warns()
        {
            var (_, w) = ParsedCommandLine.Of("no-console");
            Assert.Equal(CommandLine.NotBooleanMessage, w[0].Message);
            Assert.Equal("no-console", Ascii.Str(w[0].Subject));
        }

        [Fact]
        public void NoPrefixOnUnknown_WarnsAsUnknown()
        {
            var (_, w) = ParsedCommandLine.Of("no-frob=1");
            Assert.Equal(CommandLine.UnknownOptionMessage, w[0].Message);
            Assert.Equal("no-frob", Ascii.Str(w[0].Subject));
        }

        [Fact]
        public void LaterOptionWins_AndTabsSeparate()
        {
            var (o, _) = ParsedCommandLine.Of("loglvl=error\tloglvl=debug");
            Assert.Equal(LogLevel.Debug, o.LogLevel);
        }

        [Fact]
        public void OptionNamesAreCaseSensitive()
        {
            var (_, w) = ParsedCommandLine.Of("LOGLVL=debug");
            Assert.Equal(CommandLine.UnknownOptionMessage, w[0].Message);
        }

        [Theory]
        [InlineData("out/hypervisor.elf console=vga", "qemu", "console=vga")]
        [InlineData("  /boot/hv.elf   loglvl=all ", null, "loglvl=all ")]
        [InlineData("console=vga loglvl=all", "GRUB 2.12", "console=vga loglvl=all")]
        [InlineData("/boot/hv console=vga", "GNU GRUB 0.97", "console=vga")]
        [InlineData("hv.elf", "qemu", "")]
        public void SkipImageName_FollowsXensLoaderRule(string line, string loader, string expected)
        {
            var rest = CommandLine.SkipImageName(Ascii.Bytes(line), loader == null ? null : Ascii.Bytes(loader));
            Assert.Equal(expected, Ascii.Str(rest.ToArray()));
        }

        [Theory]
        [InlineData("dom0.elf console=hvc0 root=/dev/xvda", "dom0.elf", "console=hvc0 root=/dev/xvda")]
        [InlineData("  kernel   a  b  ", "kernel", "a  b")]
        [InlineData("kernel", "kernel", "")]
        [InlineData("", "", "")]
        public void SplitModuleString(string text, string name, string args)
        {
            CommandLine.SplitModuleString(Ascii.Bytes(text), out var image, out var arguments);
            Assert.Equal(name, Ascii.Str(image));
            Assert.Equal(args, Ascii.Str(arguments));
        }

        [Fact]
        public void Parse_WithoutWarningList_DoesNotCrash()
        {
            var o = CommandLine.Parse(Ascii.Bytes("bogus loglvl=all"), null);
            Assert.Equal(LogLevel.Debug, o.LogLevel);
        }

        [Theory]
        [InlineData("0", true, 0UL, 1)]
        [InlineData("123abc", true, 123UL, 3)]
        [InlineData("0x1F", true, 31UL, 4)]
        [InlineData("0xg", true, 0UL, 1)]
        [InlineData("18446744073709551615", true, ulong.MaxValue, 20)]
        [InlineData("18446744073709551616", false, 0UL, 0)]
        [InlineData("", false, 0UL, 0)]
        [InlineData("x", false, 0UL, 0)]
        public void TryParseNumber(string text, bool ok, ulong value, int used)
        {
            Assert.Equal(ok, CommandLine.TryParseNumber(Ascii.Bytes(text), out var v, out var u));
            if (ok)
            {
                Assert.Equal(value, v);
                Assert.Equal(used, u);
            }
        }
    }
}
