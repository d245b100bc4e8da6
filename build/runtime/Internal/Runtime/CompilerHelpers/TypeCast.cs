// Object pointers are deliberate here: objects never move in this runtime.
#pragma warning disable CS8500
using Internal.Runtime;
using System.Runtime.CompilerServices;

namespace System.Runtime
{
    // Casts and stores into arrays of references. Class casts walk the base-class chain
    // (RelatedType is the parent of an ordinary class). Interface casts need the interface map
    // and are not supported by this runtime: the kernels use abstract classes instead, and an
    // interface cast fails fast saying so rather than answering wrongly.
    internal static unsafe class TypeCast
    {
        private static MethodTable* TypeOf(object obj) => obj.m_pMethodTable;

        private static bool IsSubclassOf(MethodTable* type, MethodTable* target)
        {
            for (int depth = 0; type != null && depth < 256; depth++)
            {
                if (type == target)
                    return true;
                type = type->RelatedType;
            }
            return false;
        }

        private static object IsInstanceOfClass(void* targetType, object obj)
        {
            if (obj == null || IsSubclassOf(TypeOf(obj), (MethodTable*)targetType))
                return obj;
            return null;
        }

        private static object IsInstanceOfAny(void* targetType, object obj)
        {
            if (obj == null || TypeOf(obj) == targetType)
                return obj;
            MethodTable* target = (MethodTable*)targetType;
            if (target->ComponentSize == 0 && target->NumInterfaces == 0 && IsSubclassOf(TypeOf(obj), target))
                return obj;
            Internal.Runtime.RuntimeFailure.FailFast("type test needing interface or array variance: not supported");
            return null;
        }

        private static object IsInstanceOfInterface(void* targetType, object obj)
        {
            if (obj == null)
                return null;
            Internal.Runtime.RuntimeFailure.FailFast("interface type test: not supported by this runtime");
            return null;
        }

        private static bool IsInstanceOfException(void* targetType, object obj) =>
            obj != null && IsSubclassOf(TypeOf(obj), (MethodTable*)targetType);

        private static object CheckCastClass(void* targetType, object obj)
        {
            if (obj == null || IsSubclassOf(TypeOf(obj), (MethodTable*)targetType))
                return obj;
            Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowInvalidCastException();
            return null;
        }

        private static object CheckCastClassSpecial(void* targetType, object obj) => CheckCastClass(targetType, obj);

        private static object CheckCastAny(void* targetType, object obj)
        {
            if (obj == null || IsInstanceOfAny(targetType, obj) != null)
                return obj;
            Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowInvalidCastException();
            return null;
        }

        private static object CheckCastInterface(void* targetType, object obj)
        {
            if (obj == null)
                return null;
            Internal.Runtime.RuntimeFailure.FailFast("interface cast: not supported by this runtime");
            return null;
        }

        private static void StelemRef(object[] array, nint index, object value)
        {
            if ((ulong)index >= (ulong)array.Length)
                Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowIndexOutOfRangeException();
            if (value != null && !IsSubclassOf(TypeOf(value), TypeOf(array)->RelatedType))
                Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowArrayTypeMismatchException();
            byte* elements = (byte*)Unsafe.AsPointer(array) + 16;
            *(object*)(elements + index * 8) = value;
        }

        private static ref object LdelemaRef(object[] array, nint index, void* elementType)
        {
            if ((ulong)index >= (ulong)array.Length)
                Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowIndexOutOfRangeException();
            byte* elements = (byte*)Unsafe.AsPointer(array) + 16;
            return ref *(object*)(elements + index * 8);
        }
    }
}
