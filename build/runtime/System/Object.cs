namespace System
{
    // The root of every reference type. Its only state is the pointer to the type's MethodTable,
    // whose layout is a contract with the compiler (see Internal.Runtime.MethodTable).
    public class Object
    {
#pragma warning disable 169, 649
        internal unsafe Internal.Runtime.MethodTable* m_pMethodTable;
#pragma warning restore 169, 649

        public Object() { }
        ~Object() { }

        public virtual bool Equals(object obj) => ReferenceEquals(this, obj);
        public virtual int GetHashCode() => 0;
        public virtual string ToString() => null;
        public static bool ReferenceEquals(object a, object b) => a == b;
    }
}
