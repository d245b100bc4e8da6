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
            FailOnRequest();
            GuestConsole.Line().Text("Goodbye: powering off.").End();
            return ShutdownReason.Poweroff;
        }

        /// <summary>"fail=check" ends in a failed runtime check (the kit's fail-fast path), "fail=trap" in an
        /// invalid opcode (the kit's fatal-trap report): both shut the domain down as crashed.</summary>
        private static void FailOnRequest()
        {
            if (!KernelCommandLine.TryGetValue("fail", out byte* value, out int length))
                return;
            if (Ascii.Equals(value, length, "check"))
            {
                GuestConsole.Line().Text("Failing on request: an array index out of range.").End();
                int[] numbers = new int[2];
                int index = length;   // 5: out of range
                numbers[index] = 1;
            }
            else if (Ascii.Equals(value, length, "trap"))
            {
                GuestConsole.Line().Text("Failing on request: an invalid opcode.").End();
                InvalidOpcode();
            }
        }

        [System.Runtime.RuntimeImport("kit_invalid_opcode"), System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.InternalCall)]
        private static extern void InvalidOpcode();

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
