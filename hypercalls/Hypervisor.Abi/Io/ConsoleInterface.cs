using System.Runtime.InteropServices;

namespace Hypervisor.Abi
{
    /// <summary>Mirrors io/console.h <c>struct xencons_interface</c> (3088 bytes, at the start of the
    /// console page): two byte rings with free-running 32-bit indexes, masked by the ring size. "in"
    /// carries input to the guest, "out" the guest's output.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 3088)]
    public unsafe struct ConsoleInterface
    {
        /// <summary>Bytes of <see cref="In"/>.</summary>
        public const int InSize = 1024;

        /// <summary>Bytes of <see cref="Out"/>.</summary>
        public const int OutSize = 2048;

        /// <summary><c>in[1024]</c>.</summary>
        [FieldOffset(0)] public fixed byte In[InSize];

        /// <summary><c>out[2048]</c>.</summary>
        [FieldOffset(1024)] public fixed byte Out[OutSize];

        /// <summary><c>in_cons</c>: advanced by the guest.</summary>
        [FieldOffset(3072)] public uint InCons;

        /// <summary><c>in_prod</c>: advanced by the back end.</summary>
        [FieldOffset(3076)] public uint InProd;

        /// <summary><c>out_cons</c>: advanced by the back end.</summary>
        [FieldOffset(3080)] public uint OutCons;

        /// <summary><c>out_prod</c>: advanced by the guest.</summary>
        [FieldOffset(3084)] public uint OutProd;

        /// <summary>Index into <see cref="In"/> (<c>MASK_XENCONS_IDX</c>).</summary>
        public static uint MaskIn(uint index) => index & (InSize - 1);

        /// <summary>Index into <see cref="Out"/>.</summary>
        public static uint MaskOut(uint index) => index & (OutSize - 1);
    }
}
