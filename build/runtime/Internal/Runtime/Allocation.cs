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
            byte* memory = RuntimeHeap.Allocate(type->BaseSize);
            byte* obj = memory + 8;
            *(MethodTable**)obj = type;
            return *(object*)&obj;
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
            ulong size = type->BaseSize + (ulong)(uint)length * type->ComponentSize;
            byte* memory = RuntimeHeap.Allocate(size);
            byte* obj = memory + 8;
            *(MethodTable**)obj = type;
            *(int*)(obj + 8) = length;
            return *(object*)&obj;
        }
    }
}
