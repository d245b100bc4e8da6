// Object pointers are deliberate here: objects never move in this runtime.
#pragma warning disable CS8500
using System;
using System.Runtime;

namespace Internal.Runtime
{
    // The allocation entry points the compiler calls for `new`.
    // An object's memory starts with an 8-byte header; the object reference points just past it,
    // at the MethodTable pointer.
    internal static unsafe class Allocation
    {
        [RuntimeExport("RhpNewFast")]
        private static object NewObject(MethodTable* type)
        {
            byte* obj = AllocateObject(type, type->BaseSize);
            return *(object*)&obj;
        }

        // Zeroed memory for an instance of `type` of `size` bytes (header included), with its
        // MethodTable pointer in place; returns the object's address (just past the header).
        internal static byte* AllocateObject(MethodTable* type, ulong size)
        {
            byte* obj = RuntimeHeap.Allocate(size) + 8;
            *(MethodTable**)obj = type;
            return obj;
        }

        [RuntimeExport("RhpNewFinalizable")]
        private static object NewFinalizable(MethodTable* type) => NewObject(type);

        [RuntimeExport("RhpNewArrayFast")]
        private static object NewArray(MethodTable* type, int length) => NewArrayCore(type, length);

        [RuntimeExport("RhpNewPtrArrayFast")]
        private static object NewPointerArray(MethodTable* type, int length) => NewArrayCore(type, length);

        [RuntimeExport("RhpNewArray")]
        private static object NewArraySlow(MethodTable* type, int length) => NewArrayCore(type, length);

        [RuntimeExport("RhNewString")]
        private static object NewString(MethodTable* type, int length) => NewArrayCore(type, length);

        private static object NewArrayCore(MethodTable* type, int length)
        {
            if (length < 0)
                RuntimeFailure.FailFast("negative array length");
            byte* obj = AllocateObject(type, type->BaseSize + (ulong)(uint)length * type->ComponentSize);
            *(int*)(obj + 8) = length;
            return *(object*)&obj;
        }
    }
}
