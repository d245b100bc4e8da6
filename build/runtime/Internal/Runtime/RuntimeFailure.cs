using System.Runtime;

namespace Internal.Runtime
{
    // Where the runtime goes when it cannot go on (a throw, a failed cast, memory exhausted).
    // The kernel installs its panic routine; until then the CPU is stopped.
    public static unsafe class RuntimeFailure
    {
        private static delegate*<string, void> s_handler;

        public static void SetHandler(delegate*<string, void> handler) => s_handler = handler;

        [System.Diagnostics.CodeAnalysis.DoesNotReturn]
        public static void FailFast(string reason)
        {
            if (s_handler != null)
                s_handler(reason);
            while (true)
                Halt();
        }

        [RuntimeImport("rt_halt"), System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.InternalCall)]
        private static extern void Halt();
    }
}
