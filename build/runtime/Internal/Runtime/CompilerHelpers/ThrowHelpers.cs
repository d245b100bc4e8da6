using System.Diagnostics.CodeAnalysis;
using Internal.Runtime;

namespace Internal.Runtime.CompilerHelpers
{
    // The compiler calls these where managed code would throw (bounds checks, null references,
    // division by zero, overflow). With no unwinder, each one ends the world with a reason.
    public static class ThrowHelpers
    {
        [DoesNotReturn] public static void ThrowOverflowException() => RuntimeFailure.FailFast("arithmetic overflow");
        [DoesNotReturn] public static void ThrowIndexOutOfRangeException() => RuntimeFailure.FailFast("index out of range");
        [DoesNotReturn] public static void ThrowNullReferenceException() => RuntimeFailure.FailFast("null reference");
        [DoesNotReturn] public static void ThrowDivideByZeroException() => RuntimeFailure.FailFast("division by zero");
        [DoesNotReturn] public static void ThrowArrayTypeMismatchException() => RuntimeFailure.FailFast("array type mismatch");
        [DoesNotReturn] public static void ThrowPlatformNotSupportedException() => RuntimeFailure.FailFast("platform not supported");
        [DoesNotReturn] public static void ThrowNotImplementedException() => RuntimeFailure.FailFast("not implemented");
        [DoesNotReturn] public static void ThrowArgumentException() => RuntimeFailure.FailFast("bad argument");
        [DoesNotReturn] public static void ThrowArgumentOutOfRangeException() => RuntimeFailure.FailFast("argument out of range");
        [DoesNotReturn] public static void ThrowFeatureBodyRemoved() => RuntimeFailure.FailFast("code removed by the compiler was reached");
        // The compiler substitutes a call to one of these for a method it could not compile.
        [DoesNotReturn] public static void ThrowInvalidProgramExceptionWithArgument(int id, string method) => RuntimeFailure.FailFast("invalid program (a method the compiler could not compile)");
        [DoesNotReturn] public static void ThrowInvalidProgramException(int id) => RuntimeFailure.FailFast("invalid program");
        [DoesNotReturn] public static void ThrowTypeLoadExceptionWithArgument(int id, string className, string typeName, string messageArg) => RuntimeFailure.FailFast("type load failure");
        [DoesNotReturn] public static void ThrowTypeLoadException(int id, string className, string typeName) => RuntimeFailure.FailFast("type load failure");
        [DoesNotReturn] public static void ThrowMissingMethodException(int id, string methodName) => RuntimeFailure.FailFast("missing method");
        [DoesNotReturn] public static void ThrowMissingFieldException(int id, string fieldName) => RuntimeFailure.FailFast("missing field");
        [DoesNotReturn] public static void ThrowFileNotFoundException(int id, string fileName) => RuntimeFailure.FailFast("missing assembly");
        [DoesNotReturn] public static void ThrowBadImageFormatException(int id) => RuntimeFailure.FailFast("bad image format");
        [DoesNotReturn] public static void ThrowMarshalDirectiveException(int id) => RuntimeFailure.FailFast("marshalling not supported");
        [DoesNotReturn] public static void ThrowAmbiguousMatchException(int id) => RuntimeFailure.FailFast("ambiguous match");
        [DoesNotReturn] public static void ThrowInvalidCastException() => RuntimeFailure.FailFast("invalid cast");
    }
}
