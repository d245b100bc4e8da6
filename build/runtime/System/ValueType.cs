namespace System
{
    public abstract class ValueType { }

    public abstract class Enum : ValueType { }

    // Return type of methods that return nothing.
    public struct Void { }
}
