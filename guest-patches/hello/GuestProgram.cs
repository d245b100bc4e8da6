using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>Hello, PV world: a greeting, the facts start_info gives, and a power-off.</summary>
    internal static unsafe class GuestProgram
    {
        public static uint Main(StartInfo* start)
        {
            long version = Hypercalls.XenVersion(XenVersionCommand.Version, null);
            GuestConsole.Line().Text("Hello from a C# PV guest! The hypervisor says it is version ")
                .Dec((ulong)(version >> 16)).Char('.').Dec((ulong)(version & 0xFFFF)).Text(".").End();

            GuestConsole.Line().Text("start_info: magic ").Quoted(start->Magic, Ascii.Length(start->Magic, StartInfo.MagicLength))
                .Text(", ").Dec(start->NrPages).Text(" pages (").Dec(start->NrPages * 4096 >> 20).Text(" MiB)")
                .Text(", flags ").Hex(start->Flags).Text(Flags(start->Flags)).End();
            GuestConsole.Line().Text("start_info: command line ").Quoted(start->CmdLine, Ascii.Length(start->CmdLine, StartInfo.CmdLineLength)).End();
            GuestConsole.Line().Text("start_info: page tables at ").Hex(start->PtBase).Text(" (").Dec(start->NrPtFrames)
                .Text(" frames), P2M list at ").Hex(start->MfnList).Text(", shared info at machine address ").Hex(start->SharedInfo).End();
            GuestConsole.Line().Text("Goodbye: powering off.").End();
            return ShutdownReason.Poweroff;
        }

        private static string Flags(uint flags)
        {
            const uint dom0 = StartInfoFlags.Privileged | StartInfoFlags.InitDomain;
            if ((flags & dom0) == dom0)
                return " (privileged, initial domain)";
            if ((flags & StartInfoFlags.Privileged) != 0)
                return " (privileged)";
            return " (unprivileged)";
        }
    }
}
