namespace System
{
    // Arrays are laid out by the compiler: MethodTable, element count, padding, elements.
    public abstract class Array
    {
#pragma warning disable 169, 649
        private int _numComponents;
#pragma warning restore 169, 649

        public int Length => _numComponents;
    }

    // The compiler's model of T[] asks for this type when it exists.
    public class Array<T> : Array { }
}
