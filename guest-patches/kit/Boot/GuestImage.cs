using System.Runtime;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Hypervisor.Guest
{
    /// <summary>Where the linker put the kernel's parts (asm/image.asm fills it from linker symbols).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 88)]
    public struct GuestImage
    {
        /// <summary>First byte of the kernel (VIRT_BASE) and the end of its .bss.</summary>
        [FieldOffset(0)] public ulong KernelStart;
        [FieldOffset(8)] public ulong KernelEnd;
        [FieldOffset(16)] public ulong TextEnd;
        [FieldOffset(24)] public ulong RodataEnd;
        [FieldOffset(32)] public ulong BssStart;
        [FieldOffset(40)] public ulong BssEnd;
        [FieldOffset(48)] public ulong ModulesStart;
        [FieldOffset(56)] public ulong ModulesEnd;

        /// <summary>The kit's own stack (in .bss), used from the first instruction on.</summary>
        [FieldOffset(64)] public ulong StackBottom;
        [FieldOffset(72)] public ulong StackTop;

        /// <summary>The page named by the HYPERCALL_PAGE note.</summary>
        [FieldOffset(80)] public ulong HypercallPage;

        [RuntimeImport("kit_image_layout"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern unsafe void Read(GuestImage* image);

        public static unsafe GuestImage Find()
        {
            GuestImage image;
            Read(&image);
            return image;
        }
    }
}
