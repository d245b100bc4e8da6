using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// The bootstrap region's layout contract (xen.h "Start-of-day memory layout"): packed, page-aligned
    /// elements in the order kernel, initrd, P2M list, start_info (for dom0 its page holds the console
    /// information too), page tables, one page of stack (RSP at its end); then at least 512 KiB of mapped
    /// padding up to a 4 MiB boundary, where the mapping ends.
    /// </summary>
    internal static unsafe class LayoutTests
    {
        private const ulong Page = 4096;

        /// <summary>The harness's initrd (hv-tool TestInitrd): magic, length, bytes (offset * 7).</summary>
        private const string InitrdMagic = "HVTESTINITRD0001";

        public static void Run(TestSuite suite, StartInfo* start)
        {
            GuestImage image = StartOfDay.Image;
            suite.EqualHex("kernel_at_virt_base", 0xFFFFFFFF80000000UL, image.KernelStart);

            ulong next = AlignUp(image.KernelEnd);
            if (start->ModLen == 0)
            {
                suite.Skip("initrd_after_kernel", "no initrd (not started by the harness)");
                suite.Skip("initrd_content", "no initrd");
            }
            else
            {
                suite.EqualHex("initrd_after_kernel", next, start->ModStart);
                CheckInitrd(suite, start);
                next = AlignUp(start->ModStart + start->ModLen);
            }

            suite.EqualHex("p2m_after_initrd", next, start->MfnList);
            next = AlignUp(start->MfnList + start->NrPages * 8);
            suite.EqualHex("start_info_after_p2m", next, (ulong)start);

            bool dom0 = (start->Flags & StartInfoFlags.InitDomain) != 0;
            // dom0: the console information shares start_info's page; a domU has XenStore and console pages.
            next = (ulong)start + (dom0 ? Page : 3 * Page);
            suite.EqualHex("page_tables_after_start_info", next, start->PtBase);
            suite.Result("page_table_frames", start->NrPtFrames >= 4 && start->NrPtFrames < 64)
                .Char(' ').Dec(start->NrPtFrames).End();

            ulong stackEnd = start->PtBase + start->NrPtFrames * Page + Page;
            suite.EqualHex("stack_after_page_tables", stackEnd, StartOfDay.BootstrapStackPointer);

            // At least 512 KiB of mapped padding; the first and last bytes of it are readable and writable.
            ulong paddingEnd = stackEnd + BootstrapLayout.MinimumPadding;
            bool readable = Probe.TryRead(stackEnd, out _) && Probe.TryRead(paddingEnd - 8, out _);
            suite.Result("padding_mapped", readable).Text(" ").Hex(stackEnd).Text("..").Hex(paddingEnd).End();

            ulong regionEnd = BootstrapLayout.RegionEndAfter(stackEnd);
            suite.Check("region_end_mapped", Probe.TryRead(regionEnd - 8, out _), "the last bytes before the 4 MiB boundary are not mapped");
            int vector = Probe.ReadFaultVector(regionEnd);
            ConsoleLine line = suite.Result("region_ends_at_4mib_boundary", vector == TrapNames.PageFault).Char(' ').Hex(regionEnd);
            if (vector < 0)
                line.Text(" is mapped");
            else if (vector != TrapNames.PageFault)
                line.Text(" raised vector ").Dec((ulong)vector);
            line.End();
        }

        private static void CheckInitrd(TestSuite suite, StartInfo* start)
        {
            byte* initrd = (byte*)start->ModStart;
            ulong length = start->ModLen;
            if (length < 24 || !Probe.TryRead(start->ModStart, out _) || !Probe.TryRead(start->ModStart + length - 8, out _))
            {
                suite.Fail("initrd_content").Text("the initrd is not mapped (or shorter than its header): ").Dec(length).Text(" bytes").End();
                return;
            }
            bool magic = Ascii.StartsWith(initrd, (int)length, InitrdMagic);
            ulong declared = *(ulong*)(initrd + 16);
            ulong wrong = 0;
            for (ulong i = 24; i < length; i++)
            {
                if (initrd[i] != (byte)(i * 7))
                    wrong++;
            }
            bool ok = magic && declared == length && wrong == 0;
            ConsoleLine line = suite.Result("initrd_content", ok).Char(' ').Dec(length).Text(" bytes");
            if (!magic)
                line.Text(", wrong magic");
            if (declared != length)
                line.Text(", header says ").Dec(declared);
            if (wrong != 0)
                line.Text(", ").Dec(wrong).Text(" wrong bytes");
            line.End();
        }

        private static ulong AlignUp(ulong value) => (value + Page - 1) & ~(Page - 1);
    }
}
