using Internal.Runtime;

namespace Hypervisor.Guest
{
    /// <summary>
    /// The freestanding runtime's set-up in a guest: the heap is the padding of the bootstrap region
    /// after the stack (at least 512 KiB, mapped and unused by anyone else), the static bases are made,
    /// and a runtime failure (failed check, cast, out of memory) goes to <see cref="GuestPanic"/>.
    /// The heap does not grow: a guest that needs more maps memory itself.
    /// </summary>
    public static unsafe class GuestRuntime
    {
        private static ulong s_heapStart;
        private static ulong s_heapEnd;

        public static ulong HeapStart => s_heapStart;
        public static ulong HeapEnd => s_heapEnd;

        public static void Initialize(GuestImage image, BootstrapLayout layout)
        {
            s_heapStart = layout.StackEnd;
            s_heapEnd = layout.RegionEnd;
            RuntimeHeap.AddRegion((byte*)s_heapStart, s_heapEnd - s_heapStart);
            RuntimeFailure.SetHandler(&GuestPanic.OnRuntimeFailure);
            ModuleInitializer.InitializeModules((void**)image.ModulesStart, (void**)image.ModulesEnd);
        }
    }
}
