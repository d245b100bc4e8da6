namespace System
{
    // Handles the compiler hands to ldtoken; only their existence matters here.
#pragma warning disable 169
    public struct RuntimeTypeHandle { private IntPtr _value; }
    public struct RuntimeMethodHandle { private IntPtr _value; }
    public struct RuntimeFieldHandle { private IntPtr _value; }
#pragma warning restore 169

    public abstract class Type { }

    internal sealed class RuntimeType : Type { }
}
