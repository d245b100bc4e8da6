using System.Runtime.CompilerServices;

namespace System
{
    // Strings exist here as literals only: the compiler lays them out as frozen objects
    // (MethodTable, length, UTF-16 characters). The freestanding world never creates one at run time.
    public sealed class String
    {
#pragma warning disable 169, 649
        [Intrinsic] public static readonly string Empty = "";
        private readonly int _stringLength;
        private char _firstChar;
#pragma warning restore 169, 649

        public int Length => _stringLength;

        [IndexerName("Chars")]
        public unsafe char this[int index]
        {
            get
            {
                if ((uint)index >= (uint)_stringLength)
                    Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowIndexOutOfRangeException();
                fixed (char* p = &_firstChar)
                    return p[index];
            }
        }

        public ref readonly char GetPinnableReference() => ref _firstChar;
    }
}
