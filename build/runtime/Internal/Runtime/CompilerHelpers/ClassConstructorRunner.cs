namespace System.Runtime.CompilerServices
{
    // What the compiler passes to run a class constructor lazily: the constructor's address,
    // cleared once it has run. One CPU runs constructors at boot, so no lock is taken. Static
    // objects live as long as the hypervisor, so a constructor allocates from the heap even when it
    // first runs while a domain's arena is entered.
    public struct StaticClassConstructionContext
    {
        public IntPtr cctorMethodAddress;
    }

    internal static unsafe class ClassConstructorRunner
    {
        private static void EnsureClassConstructorRun(StaticClassConstructionContext* context)
        {
            IntPtr constructor = context->cctorMethodAddress;
            if (constructor == 0)
                return;
            context->cctorMethodAddress = 0;
            Internal.Runtime.HeapArena* arena = Internal.Runtime.RuntimeHeap.EnterArena(null);
            ((delegate*<void>)constructor)();
            Internal.Runtime.RuntimeHeap.EnterArena(arena);
        }

        private static object CheckStaticClassConstructionReturnGCStaticBase(StaticClassConstructionContext* context, object gcStaticBase)
        {
            EnsureClassConstructorRun(context);
            return gcStaticBase;
        }

        private static IntPtr CheckStaticClassConstructionReturnNonGCStaticBase(StaticClassConstructionContext* context, IntPtr nonGcStaticBase)
        {
            EnsureClassConstructorRun(context);
            return nonGcStaticBase;
        }
    }
}
