using System;
using System.Runtime;

namespace Internal.Runtime.CompilerHelpers
{
    // Symbols generated code refers to for transitions and failures. There is no collector and no
    // unwinder, so transitions do nothing and a throw is a fail-fast naming the exception's message.
    internal static unsafe class RuntimeEntryPoints
    {
        [RuntimeExport("RhpReversePInvoke")] private static void ReversePInvoke(IntPtr frame) { }
        [RuntimeExport("RhpReversePInvokeReturn")] private static void ReversePInvokeReturn(IntPtr frame) { }
        [RuntimeExport("RhpPInvoke")] private static void PInvoke(IntPtr frame) { }
        [RuntimeExport("RhpPInvokeReturn")] private static void PInvokeReturn(IntPtr frame) { }
        [RuntimeExport("RhpGcPoll")] private static void GcPoll() { }

        [RuntimeExport("RhpFallbackFailFast")]
        private static void FallbackFailFast() => RuntimeFailure.FailFast("runtime fail-fast");

        [RuntimeExport("RhpThrowEx")]
        private static void Throw(Exception exception)
        {
            string message = exception == null ? null : exception.Message;
            RuntimeFailure.FailFast(message == null ? "exception thrown" : message);
        }

        [RuntimeExport("RhpRethrow")]
        private static void Rethrow() => RuntimeFailure.FailFast("exception rethrown");
    }
}
