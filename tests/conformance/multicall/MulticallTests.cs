using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// multicall(list, count): the calls run in order and each result is written into its entry (and
    /// nothing else of the entry); a failing entry does not stop the batch; unknown numbers give the
    /// entry -ENOSYS; a multicall inside a multicall is refused; an unreadable list is -EFAULT, with the
    /// entries before the unreadable one run and their results written; count 0 does nothing.
    /// </summary>
    internal static unsafe class MulticallTests
    {
        private const ulong Unmapped = 0x1000;

        public static void Run(TestSuite suite)
        {
            long version = Hypercalls.XenVersion(XenVersionCommand.Version, null);
            long pageSize = Hypercalls.XenVersion(XenVersionCommand.Pagesize, null);
            byte* line = Text("multicall: a console line written from inside a batch\n", out uint length);

            var batch = new Batch(8)
                .Add(HypercallNumber.XenVersion, XenVersionCommand.Version)
                .Add(HypercallNumber.XenVersion, XenVersionCommand.Pagesize)
                .Add(HypercallNumber.ConsoleIo, ConsoleIoCommand.Write, length, (ulong)line)
                .Add(HypercallNumber.SchedOp, SchedOp.Yield);
            GuestConsole.Flush();
            long rc = batch.Run();
            suite.Returns("batch_returns_0", 0, rc);
            ExpectResults(suite, "batch_results_written", batch, version, pageSize, 0, 0);

            bool argsKept = batch.Entries[2].Args[0] == ConsoleIoCommand.Write && batch.Entries[2].Args[1] == length
                && batch.Entries[2].Args[2] == (ulong)line && batch.Entries[2].Op == HypercallNumber.ConsoleIo;
            suite.Check("batch_arguments_untouched", argsKept, "the hypervisor changed an entry's op or arguments");

            batch = new Batch(4)
                .Add(HypercallNumber.XenVersion, XenVersionCommand.Version)
                .Add(HypercallNumber.ConsoleIo, 99)
                .Add(HypercallNumber.XenVersion, XenVersionCommand.Extraversion, Unmapped)
                .Add(HypercallNumber.XenVersion, XenVersionCommand.Pagesize);
            suite.Returns("failing_entries_batch_returns_0", 0, batch.Run());
            ExpectResults(suite, "failing_entries_do_not_stop_batch", batch, version, -XenErrno.ENOSYS, -XenErrno.EFAULT, pageSize);

            batch = new Batch(4)
                .Add(11)
                .Add(63)
                .Add(1000)
                .Add(0x100000011UL, XenVersionCommand.Version);
            suite.Returns("unknown_ops_batch_returns_0", 0, batch.Run());
            ExpectResults(suite, "unknown_ops_enosys", batch, -XenErrno.ENOSYS, -XenErrno.ENOSYS, -XenErrno.ENOSYS, -XenErrno.ENOSYS);

            var inner = new Batch(1).Add(HypercallNumber.XenVersion, XenVersionCommand.Version);
            batch = new Batch(2)
                .Add(HypercallNumber.Multicall, (ulong)inner.Entries, 1)
                .Add(HypercallNumber.XenVersion, XenVersionCommand.Pagesize);
            suite.Returns("nested_batch_returns_0", 0, batch.Run());
            ExpectResults(suite, "nested_multicall_refused", batch, -XenErrno.EINVAL, pageSize);
            suite.Check("nested_inner_entry_not_run", (ulong)inner.Result(0) == Batch.Sentinel, "the inner entry's result was written");

            suite.Errno("unreadable_list", XenErrno.EFAULT, Hypercalls.Multicall((MulticallEntry*)Unmapped, 1));
            suite.Errno("non_canonical_list", XenErrno.EFAULT, Hypercalls.Multicall((MulticallEntry*)0x8000000000000000UL, 1));
            suite.Returns("count_zero", 0, Hypercalls.Multicall((MulticallEntry*)Unmapped, 0));

            // Two entries, the second beyond the end of the mapped bootstrap region.
            var edge = new Batch((MulticallEntry*)(StartOfDay.Layout.RegionEnd - (ulong)sizeof(MulticallEntry)))
                .Add(HypercallNumber.XenVersion, XenVersionCommand.Version);
            rc = Hypercalls.Multicall(edge.Entries, 2);
            suite.Result("list_runs_off_mapping", rc == -XenErrno.EFAULT && edge.Result(0) == version)
                .Text(" returned ").Result(rc).Text(", first entry's result ").Hex((ulong)edge.Result(0))
                .Text(" (expected -14 (EFAULT) and the version ").Hex((ulong)version).Text(")").End();
        }

        private static void ExpectResults(TestSuite suite, string test, Batch batch, long r0, long r1, long r2 = long.MinValue, long r3 = long.MinValue)
        {
            long* expected = stackalloc long[4];
            expected[0] = r0;
            expected[1] = r1;
            expected[2] = r2;
            expected[3] = r3;
            bool ok = true;
            for (int i = 0; i < (int)batch.Count; i++)
                ok &= batch.Result(i) == expected[i];
            ConsoleLine line = suite.Result(test, ok).Text(" results");
            for (int i = 0; i < (int)batch.Count; i++)
            {
                line.Char(' ').Result(batch.Result(i));
                if (batch.Result(i) != expected[i])
                    line.Text(" (expected ").Result(expected[i]).Text(")");
            }
            line.End();
        }

        private static byte* Text(string text, out uint length)
        {
            byte* buffer = GuestMemory.Allocate((ulong)text.Length);
            for (int i = 0; i < text.Length; i++)
                buffer[i] = (byte)text[i];
            length = (uint)text.Length;
            return buffer;
        }
    }
}
