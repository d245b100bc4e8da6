using System.Runtime;
using System.Runtime.CompilerServices;

namespace Hypervisor.Arch.X86_64
{
    // Copies to and from guest virtual addresses with plain loads and stores through the loaded page
    // tables (asm/guest_copy.asm). A bad guest pointer page-faults inside the copy; the trap
    // dispatcher asks TryRecover, which resumes the copy at its failure exit instead of panicking.
    internal static unsafe class GuestCopy
    {
        private const ulong PageFault = 14;

        [RuntimeImport("cpu_copy_guest"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern ulong CopyOrFault(void* destination, void* source, ulong length);

        [RuntimeImport("cpu_guest_copy_recovery"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern ulong RecoveryAddress(ulong rip);

        /// <summary>True when all <paramref name="length"/> bytes were copied; false when a page fault
        /// stopped the copy (bytes before it may have been copied, as with Xen's copies).</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static bool TryCopy(void* destination, void* source, ulong length) =>
            CopyOrFault(destination, source, length) == 0;

        /// <summary>For a page fault in the hypervisor: true (and the frame redirected) when it hit a
        /// guest copy, which then reports failure.</summary>
        public static bool TryRecover(TrapFrame* frame)
        {
            if (frame->Vector != PageFault)
                return false;
            ulong resume = RecoveryAddress(frame->Rip);
            if (resume == 0)
                return false;
            frame->Rip = resume;
            return true;
        }
    }
}
