namespace System
{
    // Delegates are part of the type system the compiler expects even though the kernels here do not
    // use them; the fields are the compiler's layout contract.
    public abstract class Delegate
    {
#pragma warning disable 169, 649
        internal object _firstParameter;
        internal object _helperObject;
        internal IntPtr _extraFunctionPointerOrData;
        internal IntPtr _functionPointer;
#pragma warning restore 169, 649
    }

    public abstract class MulticastDelegate : Delegate { }
}
