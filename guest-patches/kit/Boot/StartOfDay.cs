using System.Runtime;
using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>
    /// The C# start of day of a PV guest kernel, called by asm/start.asm on the kit's stack with the
    /// start_info pointer Xen passed in RSI and the stack pointer Xen started the kernel with. It sets up
    /// the runtime (heap, statics, fail-fast), the trap table, then runs the guest's
    /// <c>GuestProgram.Main</c> and shuts the domain down with the reason Main returns.
    /// Every guest defines, in namespace Hypervisor.Guest:
    /// <code>internal static unsafe class GuestProgram { public static uint Main(StartInfo* startInfo) { ... } }</code>
    /// </summary>
    public static unsafe class StartOfDay
    {
        private static StartInfo* s_startInfo;
        private static ulong s_bootstrapStackPointer;
        private static GuestImage s_image;
        private static BootstrapLayout s_layout;

        /// <summary>start_info as Xen passed it (RSI at entry).</summary>
        public static StartInfo* StartInfo => s_startInfo;

        /// <summary>RSP at entry: the end of the domain builder's bootstrap stack.</summary>
        public static ulong BootstrapStackPointer => s_bootstrapStackPointer;

        public static GuestImage Image => s_image;
        public static BootstrapLayout Layout => s_layout;

        [RuntimeExport("kit_start_of_day")]
        private static void Entry(StartInfo* startInfo, ulong bootstrapStackPointer)
        {
            s_startInfo = startInfo;
            s_bootstrapStackPointer = bootstrapStackPointer;
            s_image = GuestImage.Find();
            s_layout = BootstrapLayout.From(startInfo);
            GuestRuntime.Initialize(s_image, s_layout);

            long rc = TrapTable.Install();
            if (rc != 0)
                GuestConsole.Line().Text("kit: set_trap_table failed: ").Result(rc).Text("; a trap will kill the domain").End();

            uint reason = GuestProgram.Main(startInfo);
            GuestShutdown.Shutdown(reason);
        }
    }
}
