using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// A page-table change made by vCPU 0 reaches vCPU 1's TLB on the other CPU when the flush asks for
    /// it: vCPU 1 reads one address over and over while vCPU 0 moves that address between two frames
    /// and flushes with UVMF_ALL, a UVMF_MULTI bitmap naming vCPU 1, MMUEXT_INVLPG_ALL / _MULTI or
    /// MMUEXT_TLB_FLUSH_ALL / _MULTI; vCPU 1 must then read the new frame's value.
    /// </summary>
    internal static unsafe class TlbTests
    {
        private const ulong ValueA = 0xA1A1A1A1A1A1A1A1UL;
        private const ulong ValueB = 0xB2B2B2B2B2B2B2B2UL;
        private const ulong Timeout = 1_000_000_000;

        private static ulong s_window;
        private static ulong s_frameA, s_frameB;
        private static bool s_onA;

        public static void Run(TestSuite suite)
        {
            ulong* a = (ulong*)GuestMemory.AllocatePages(1);
            ulong* b = (ulong*)GuestMemory.AllocatePages(1);
            s_window = (ulong)GuestMemory.AllocatePages(1);
            *a = ValueA;
            *b = ValueB;
            s_frameA = MachineFrames.Of(a);
            s_frameB = MachineFrames.Of(b);
            s_onA = true;
            if (!suite.Returns("window_on_first_frame", 0,
                    Hypercalls.UpdateVaMapping(s_window, Mmu.Entry(s_frameA, true), UpdateVaMappingFlags.Invlpg | UpdateVaMappingFlags.All)))
                return;
            SecondVcpu.Block->WatchAddress = s_window;
            SecondVcpu.Block->WatchSeen = 0;
            suite.Check("second_vcpu_watches", SecondVcpu.SetMode(SecondVcpu.Watch), "it did not take the WATCH mode");
            suite.Check("second_vcpu_reads_first_frame", SeenWithin(ValueA) != ulong.MaxValue, "vCPU 1 never read the first frame's value");

            ulong* mask = (ulong*)GuestMemory.Allocate(8);
            *mask = 1UL << (int)SecondVcpu.Id;
            Move(suite, "uvmf_invlpg_all", UpdateVaMappingFlags.Invlpg | UpdateVaMappingFlags.All, 0, false);
            Move(suite, "uvmf_tlb_flush_all", UpdateVaMappingFlags.TlbFlush | UpdateVaMappingFlags.All, 0, false);
            Move(suite, "uvmf_invlpg_multi", UpdateVaMappingFlags.Invlpg | (ulong)mask, 0, false);
            Move(suite, "mmuext_invlpg_all", UpdateVaMappingFlags.Invlpg, MmuextCommand.InvlpgAll, false);
            Move(suite, "mmuext_tlb_flush_all", UpdateVaMappingFlags.Invlpg, MmuextCommand.TlbFlushAll, false);
            Move(suite, "mmuext_invlpg_multi", UpdateVaMappingFlags.Invlpg, MmuextCommand.InvlpgMulti, true, mask);
            Move(suite, "mmuext_tlb_flush_multi", UpdateVaMappingFlags.Invlpg, MmuextCommand.TlbFlushMulti, true, mask);
            SecondVcpu.SetMode(SecondVcpu.Spin);
        }

        // Moves the window to the other frame with update_va_mapping's flags, then (unless 0) the mmuext
        // command; vCPU 1 must read the other value.
        private static void Move(TestSuite suite, string test, ulong flags, uint command, bool multi, ulong* mask = null)
        {
            ulong frame = s_onA ? s_frameB : s_frameA;
            ulong value = s_onA ? ValueB : ValueA;
            long rc = Hypercalls.UpdateVaMapping(s_window, Mmu.Entry(frame, true), flags);
            if (rc == 0 && command != 0)
            {
                MmuextOp op = default;
                op.Cmd = command;
                op.LinearAddr = s_window;
                if (multi)
                    op.VcpuMask = (ulong)mask;
                rc = Hypercalls.MmuextOp(&op, 1, null);
            }
            if (rc != 0)
            {
                suite.Fail(test).Text("the remap returned ").Result(rc).End();
                return;
            }
            s_onA = !s_onA;
            ulong took = SeenWithin(value);
            ConsoleLine line = suite.Result(test, took != ulong.MaxValue);
            if (took == ulong.MaxValue)
                line.Text(" vCPU 1 still reads ").Hex(SecondVcpu.Block->WatchSeen).Text(" after 1 s");
            else
                line.Text(" vCPU 1 read the new frame after ").Dec(took / 1000).Text(" us");
            line.End();
        }

        private static ulong SeenWithin(ulong value)
        {
            ulong start = GuestClock.Now();
            while (true)
            {
                ulong now = GuestClock.Now();
                if (SecondVcpu.Block->WatchSeen == value)
                    return now - start;
                if (now - start > Timeout)
                    return ulong.MaxValue;
            }
        }
    }
}
