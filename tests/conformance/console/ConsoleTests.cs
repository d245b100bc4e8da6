using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// console_io (xen.h CONSOLEIO_*): writes of every size (Xen 4.17 answers a successful write with 0,
    /// not the byte count), writes from addresses the guest may not read (unmapped, the hypervisor's
    /// area, non-canonical, running off the end of the mapped region), reads when no input waits, a
    /// read count too large to report, and an unknown command.
    /// </summary>
    internal static unsafe class ConsoleTests
    {
        public static void Run(TestSuite suite)
        {
            Writes(suite);
            BadWrites(suite);
            Reads(suite);
            suite.Errno("unknown_command", XenErrno.ENOSYS, Hypercalls.ConsoleIo(99, 0, null));
            suite.Errno("unknown_command_with_buffer", XenErrno.ENOSYS, Hypercalls.ConsoleIo(2, 4, Text("abcd")));
        }

        private static byte* s_scratch;

        /// <summary>The literal as bytes in a scratch buffer (the console takes bytes).</summary>
        private static byte* Text(string text)
        {
            if (s_scratch == null)
                s_scratch = GuestMemory.Allocate(1024);
            for (int i = 0; i < text.Length; i++)
                s_scratch[i] = (byte)text[i];
            return s_scratch;
        }

        private static void Writes(TestSuite suite)
        {
            GuestConsole.Flush();
            string line = "console: a line written with one console_io write\n";
            suite.Returns("write", 0, Hypercalls.ConsoleWrite(Text(line), (uint)line.Length));

            suite.Returns("write_zero_bytes", 0, Hypercalls.ConsoleWrite(Text("x"), 0));
            suite.Returns("write_zero_bytes_null", 0, Hypercalls.ConsoleWrite(null, 0));

            // Longer than the hypervisor's bounce buffer (Xen copies 128 bytes at a time).
            byte* text = Text("console: ");
            const int length = 600;
            for (int i = 9; i < length - 1; i++)
                text[i] = (byte)('a' + i % 26);
            text[length - 1] = (byte)'\n';
            suite.Returns("write_long", 0, Hypercalls.ConsoleWrite(text, length));

            // One line in two writes (both results are reported after the line is complete, so that the
            // TEST lines stay whole).
            string first = "console: a line in ";
            long rc1 = Hypercalls.ConsoleWrite(Text(first), (uint)first.Length);
            string second = "two writes\n";
            long rc2 = Hypercalls.ConsoleWrite(Text(second), (uint)second.Length);
            suite.Returns("write_partial_line", 0, rc1);
            suite.Returns("write_rest_of_line", 0, rc2);
        }

        private static void BadWrites(TestSuite suite)
        {
            suite.Errno("write_unmapped", XenErrno.EFAULT, Hypercalls.ConsoleWrite((byte*)0x1000, 16));
            suite.Errno("write_null", XenErrno.EFAULT, Hypercalls.ConsoleWrite(null, 16));
            suite.Errno("write_hypervisor_area", XenErrno.EFAULT,
                Hypercalls.ConsoleWrite((byte*)(AddressSpaceLayout.HypervisorVirtEnd - 0x1000), 16));
            suite.Errno("write_non_canonical", XenErrno.EFAULT, Hypercalls.ConsoleWrite((byte*)0x8000000000000000UL, 16));

            // The last 8 bytes of the mapped bootstrap region and 8 bytes past it.
            ulong end = StartOfDay.Layout.RegionEnd;
            byte* edge = (byte*)(end - 8);
            for (int i = 0; i < 8; i++)
                edge[i] = (byte)'.';
            suite.Errno("write_runs_off_mapping", XenErrno.EFAULT, Hypercalls.ConsoleWrite(edge, 16));
        }

        private static void Reads(TestSuite suite)
        {
            // Nobody types on the serial line during a run: nothing to read.
            suite.Returns("read_zero_bytes", 0, Hypercalls.ConsoleIo(ConsoleIoCommand.Read, 0, null));
            suite.Returns("read_nothing_waiting", 0, Hypercalls.ConsoleIo(ConsoleIoCommand.Read, 16, Text("................")));
            suite.Errno("read_count_too_large", XenErrno.E2BIG, Hypercalls.ConsoleIo(ConsoleIoCommand.Read, 0x80000000u, Text("x")));
        }
    }
}
