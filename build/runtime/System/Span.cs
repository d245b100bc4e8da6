using System.Runtime.CompilerServices;

namespace System
{
    // A window onto contiguous memory. Objects never move in this runtime (there is no collector),
    // so a span holds a plain pointer; that is why T is restricted to unmanaged types.
    public readonly unsafe ref struct Span<T> where T : unmanaged
    {
        private readonly T* _pointer;
        private readonly int _length;

        public Span(T[] array)
        {
            if (array == null) { _pointer = null; _length = 0; return; }
            _pointer = ArrayData(array);
            _length = array.Length;
        }

        public Span(T[] array, int start, int length)
        {
            if (array == null || (uint)start > (uint)array.Length || (uint)length > (uint)(array.Length - start))
                Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowArgumentOutOfRangeException();
            _pointer = ArrayData(array) + start;
            _length = length;
        }

        public Span(void* pointer, int length)
        {
            if (length < 0) Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowArgumentOutOfRangeException();
            _pointer = (T*)pointer;
            _length = length;
        }

        internal static T* ArrayData(T[] array) => (T*)((byte*)Unsafe.AsPointer(array) + 16);

        public int Length => _length;
        public bool IsEmpty => _length == 0;

        public ref T this[int index]
        {
            get
            {
                if ((uint)index >= (uint)_length) Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowIndexOutOfRangeException();
                return ref _pointer[index];
            }
        }

        public Span<T> Slice(int start)
        {
            if ((uint)start > (uint)_length) Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowArgumentOutOfRangeException();
            return new Span<T>(_pointer + start, _length - start);
        }

        public Span<T> Slice(int start, int length)
        {
            if ((uint)start > (uint)_length || (uint)length > (uint)(_length - start))
                Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowArgumentOutOfRangeException();
            return new Span<T>(_pointer + start, length);
        }

        public void Clear() { for (int i = 0; i < _length; i++) _pointer[i] = default; }
        public void Fill(T value) { for (int i = 0; i < _length; i++) _pointer[i] = value; }

        public ref T GetPinnableReference() => ref (_length != 0 ? ref _pointer[0] : ref *(T*)null);

        public static implicit operator Span<T>(T[] array) => new Span<T>(array);
        public static implicit operator ReadOnlySpan<T>(Span<T> span) => new ReadOnlySpan<T>(span._pointer, span._length);
    }

    public readonly unsafe ref struct ReadOnlySpan<T> where T : unmanaged
    {
        private readonly T* _pointer;
        private readonly int _length;

        public ReadOnlySpan(T[] array)
        {
            _pointer = array == null ? null : Span<T>.ArrayData(array);
            _length = array == null ? 0 : array.Length;
        }

        public ReadOnlySpan(T[] array, int start, int length)
        {
            if (array == null || (uint)start > (uint)array.Length || (uint)length > (uint)(array.Length - start))
                Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowArgumentOutOfRangeException();
            _pointer = Span<T>.ArrayData(array) + start;
            _length = length;
        }

        public ReadOnlySpan(void* pointer, int length)
        {
            if (length < 0) Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowArgumentOutOfRangeException();
            _pointer = (T*)pointer;
            _length = length;
        }

        public int Length => _length;
        public bool IsEmpty => _length == 0;

        public ref readonly T this[int index]
        {
            get
            {
                if ((uint)index >= (uint)_length) Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowIndexOutOfRangeException();
                return ref _pointer[index];
            }
        }

        public ReadOnlySpan<T> Slice(int start)
        {
            if ((uint)start > (uint)_length) Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowArgumentOutOfRangeException();
            return new ReadOnlySpan<T>(_pointer + start, _length - start);
        }

        public ReadOnlySpan<T> Slice(int start, int length)
        {
            if ((uint)start > (uint)_length || (uint)length > (uint)(_length - start))
                Internal.Runtime.CompilerHelpers.ThrowHelpers.ThrowArgumentOutOfRangeException();
            return new ReadOnlySpan<T>(_pointer + start, length);
        }

        public ref readonly T GetPinnableReference() => ref (_length != 0 ? ref _pointer[0] : ref *(T*)null);

        public static implicit operator ReadOnlySpan<T>(T[] array) => new ReadOnlySpan<T>(array);
    }
}
