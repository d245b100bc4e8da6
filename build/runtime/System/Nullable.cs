namespace System
{
#pragma warning disable 169, 649
    public struct Nullable<T> where T : struct
    {
        private readonly bool hasValue;
        internal T value;
        public bool HasValue => hasValue;
    }
#pragma warning restore 169, 649
}
