using System.Runtime.InteropServices;

namespace Internal.Runtime
{
    // The head of a type's MethodTable as ILC lays it out (the vtable follows it).
    // Only what allocation needs is named here.
    [StructLayout(LayoutKind.Sequential)]
    public struct MethodTable
    {
        public ushort ComponentSize;   // bytes per element for arrays and strings, 0 otherwise
        public ushort Flags;
        public uint BaseSize;          // bytes of a fresh instance, counting the 8-byte header in front
        public unsafe MethodTable* RelatedType;
        public ushort NumVtableSlots;
        public ushort NumInterfaces;
        public uint HashCode;
    }
}
