namespace System
{
    // The primitive types. The compiler knows their sizes; the m_value field makes the layout explicit.
#pragma warning disable 169, 649
    public struct Boolean { private readonly bool m_value; }
    public struct Char { private readonly char m_value; }
    public struct SByte { private readonly sbyte m_value; public const sbyte MaxValue = 127; public const sbyte MinValue = -128; }
    public struct Byte { private readonly byte m_value; public const byte MaxValue = 255; public const byte MinValue = 0; }
    public struct Int16 { private readonly short m_value; public const short MaxValue = 32767; public const short MinValue = -32768; }
    public struct UInt16 { private readonly ushort m_value; public const ushort MaxValue = 65535; public const ushort MinValue = 0; }
    public struct Int32 { private readonly int m_value; public const int MaxValue = 0x7fffffff; public const int MinValue = unchecked((int)0x80000000); }
    public struct UInt32 { private readonly uint m_value; public const uint MaxValue = 0xffffffff; public const uint MinValue = 0; }
    public struct Int64 { private readonly long m_value; public const long MaxValue = 0x7fffffffffffffff; public const long MinValue = unchecked((long)0x8000000000000000); }
    public struct UInt64 { private readonly ulong m_value; public const ulong MaxValue = 0xffffffffffffffff; public const ulong MinValue = 0; }
    public struct Single { private readonly float m_value; }
    public struct Double { private readonly double m_value; }

    public unsafe struct IntPtr
    {
        private readonly void* _value;
        public static readonly IntPtr Zero;
        public IntPtr(void* value) { _value = value; }
        public IntPtr(long value) { _value = (void*)value; }
        public static int Size => 8;
        public void* ToPointer() => _value;
    }

    public unsafe struct UIntPtr
    {
        private readonly void* _value;
        public static readonly UIntPtr Zero;
        public UIntPtr(void* value) { _value = value; }
        public UIntPtr(ulong value) { _value = (void*)value; }
        public static int Size => 8;
        public void* ToPointer() => _value;
    }
#pragma warning restore 169, 649
}
