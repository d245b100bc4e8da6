namespace System
{
    // There is no unwinder: a thrown exception ends in a fail-fast with its message
    // (see Internal.Runtime.CompilerHelpers.ThrowHelpers).
    public class Exception
    {
        public Exception() { }
        public Exception(string message) { Message = message; }
        public string Message { get; }
    }
}
