using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// start_info's own fields: the magic, the flags of the initial domain, the page count against the
    /// memory the hypervisor was told to give, the command line (the boot module's string without the
    /// file name), the machine address of shared info.
    /// </summary>
    internal static unsafe class StartInfoTests
    {
        public static void Run(TestSuite suite, StartInfo* start)
        {
            int magicLength = Ascii.Length(start->Magic, StartInfo.MagicLength);
            bool magicOk = magicLength < StartInfo.MagicLength && Ascii.StartsWith(start->Magic, magicLength, StartInfo.Magic64);
            suite.Result("magic", magicOk).Char(' ').Quoted(start->Magic, magicLength).End();

            suite.Check("start_info_page_aligned", ((ulong)start & 0xFFF) == 0, "start_info is not page-aligned");

            const uint dom0 = StartInfoFlags.Privileged | StartInfoFlags.InitDomain;
            suite.Result("flags_initial_domain", (start->Flags & dom0) == dom0).Text(" flags ").Hex(start->Flags).End();
            suite.Check("flags_initrd_mapped", (start->Flags & StartInfoFlags.ModStartPfn) == 0,
                "SIF_MOD_START_PFN is set, but the kernel did not ask for an unmapped initrd");

            if (SuiteArguments.TryGetExpectedMemory(out ulong expected))
                suite.Equal("nr_pages", expected / 4096, start->NrPages);
            else
                suite.Skip("nr_pages", "no expect_mem= on the command line (not started by the harness)");

            ulong regionPages = (StartOfDay.Layout.RegionEnd - StartOfDay.Image.KernelStart) / 4096;
            suite.Result("nr_pages_cover_bootstrap_region", start->NrPages >= regionPages)
                .Char(' ').Dec(start->NrPages).Text(" pages, region of ").Dec(regionPages).End();

            int length = Ascii.Length(start->CmdLine, StartInfo.CmdLineLength);
            if (SuiteArguments.StartedByHarness("startofday"))
            {
                bool ok = length < StartInfo.CmdLineLength && Ascii.StartsWith(start->CmdLine, length, "suite=startofday ")
                          && Ascii.IsPrintable(start->CmdLine, length);
                suite.Result("command_line", ok).Char(' ').Quoted(start->CmdLine, length).End();
            }
            else
            {
                suite.Skip("command_line", "not started by the harness (no suite=startofday first)");
            }

            if ((start->Flags & StartInfoFlags.InitDomain) != 0)
                suite.Result("dom0_no_xenstore_ring", start->StoreMfn == 0 && start->StoreEvtchn == 0)
                    .Text(" store_mfn ").Hex(start->StoreMfn).Text(", store_evtchn ").Dec(start->StoreEvtchn).End();
            else
                suite.Skip("dom0_no_xenstore_ring", "not the initial domain");

            suite.Result("shared_info_address", start->SharedInfo != 0 && (start->SharedInfo & 0xFFF) == 0)
                .Char(' ').Hex(start->SharedInfo).End();
        }
    }
}
