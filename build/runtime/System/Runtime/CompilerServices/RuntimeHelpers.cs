namespace System.Runtime.CompilerServices
{
    public static class RuntimeHelpers
    {
        // Array initialisers with constant data: the compiler expands these itself.
        [Intrinsic]
        public static extern void InitializeArray(Array array, RuntimeFieldHandle fldHandle);

        [Intrinsic]
        public static extern ReadOnlySpan<T> CreateSpan<T>(RuntimeFieldHandle fldHandle) where T : unmanaged;

        [Intrinsic]
        public static bool IsReferenceOrContainsReferences<T>() => false;

        public static int OffsetToStringData => 12;
    }

    // Reinterpretation primitives; the compiler supplies their bodies.
    public static unsafe class Unsafe
    {
        [Intrinsic] public static extern void* AsPointer<T>(ref T value);
        [Intrinsic] public static extern T As<T>(object o) where T : class;
        [Intrinsic] public static extern ref TTo As<TFrom, TTo>(ref TFrom source);
        [Intrinsic] public static extern ref T AsRef<T>(void* source);
        [Intrinsic] public static extern ref T AsRef<T>(ref readonly T source);
        [Intrinsic] public static extern ref T Add<T>(ref T source, int elementOffset);
        [Intrinsic] public static extern int SizeOf<T>();
        [Intrinsic] public static extern bool AreSame<T>(ref readonly T left, ref readonly T right);

        // The address of an object (objects never move here).
        public static void* AsPointer(object o) => *(void**)AsPointer(ref o);
    }
}
