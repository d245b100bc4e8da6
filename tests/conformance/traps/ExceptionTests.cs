using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// Every exception a 64-bit PV guest can cause, from guest kernel mode and from guest user mode,
    /// delivered to the trap table with the vector, error code and RIP of the hardware exception: faults
    /// point at the instruction, traps (#BP, #DB of int1 and single-step, #OF of int $4) after it.
    /// #BR and #OF have no instruction in 64-bit mode (bound and into are invalid: #UD); #AC needs the
    /// hypervisor's CR0.AM and an emulator that checks alignment.
    /// </summary>
    internal static unsafe class ExceptionTests
    {
        /// <summary>Not mapped in the kernel's page tables (the lower half is user space) nor in user mode's.</summary>
        public const ulong Unmapped = 0x0000000010000000UL;

        private static ulong s_readOnlyUserPage;

        public static void Run(TestSuite suite)
        {
            Kernel(suite);
            if (!UserMode.Ready)
            {
                suite.Skip("user_exceptions", "user mode unavailable");
                return;
            }
            User(suite);
        }

        private static void Kernel(TestSuite suite)
        {
            const ulong none = 0;
            TrapExpect.Kernel(suite, "kernel_divide_error", Routines.KernelDivideError, 0, 0, none, fault: true);
            TrapExpect.Kernel(suite, "kernel_debug_int1", Routines.KernelIcebp, 0, 1, none, fault: false);
            TrapExpect.Kernel(suite, "kernel_debug_single_step", Routines.KernelSingleStep, 0, 1, none, fault: false);
            TrapExpect.Kernel(suite, "kernel_breakpoint_int3", Routines.KernelInt3, 0, 3, none, fault: false);
            TrapExpect.Kernel(suite, "kernel_breakpoint_int_3", Routines.KernelInt_3, 0, 3, none, fault: false);
            TrapExpect.Kernel(suite, "kernel_overflow_int_4", Routines.KernelInt_4, 0, 4, none, fault: false);
            suite.Skip("kernel_overflow_into", "into is invalid in 64-bit mode; #OF is raised with int $4 (kernel_overflow_int_4)");
            suite.Skip("kernel_bound_range", "#BR: bound is invalid in 64-bit mode and there is no MPX; int $5 is refused (software_interrupt tests)");
            TrapExpect.Kernel(suite, "kernel_invalid_opcode", Routines.KernelInvalidOpcode, 0, TrapNames.InvalidOpcode, none, fault: true);
            TrapExpect.Kernel(suite, "kernel_general_protection_non_canonical", Routines.KernelNonCanonical, 0, TrapNames.GeneralProtection, 0, fault: true);
            // Supervisor faults: no user bit in the error code, although the guest kernel runs in ring 3.
            TrapExpect.KernelPageFault(suite, "kernel_page_fault_read_not_present", Routines.KernelRead, Unmapped, 0x0, Unmapped, false);
            ulong m2p = AddressSpaceLayout.MachToPhysVirtStart;
            TrapExpect.KernelPageFault(suite, "kernel_page_fault_write_read_only", Routines.KernelWrite, m2p, 0x3, m2p, false);
            TrapExpect.KernelPageFault(suite, "kernel_page_fault_fetch", Routines.KernelFetch, Unmapped, 0x10, Unmapped, true);
            TrapExpect.Kernel(suite, "kernel_x87_error", Routines.KernelX87Divide, 0, 16, none, fault: true);
            int simd = GuardedCall.Run(Routines.KernelSimdDivide.Entry, 0, out ulong mxcsr);
            Simd(suite, "kernel_simd_error", simd, mxcsr);
            Alignment(suite, "kernel_alignment_check", GuardedCall.Run(Routines.KernelAlignment.Entry, 0, out _));
        }

        private static void User(TestSuite suite)
        {
            const ulong none = 0;
            TrapExpect.User(suite, "user_divide_error", Routines.UserDivideError, 0, 0, none, fault: true);
            TrapExpect.User(suite, "user_debug_int1", Routines.UserIcebp, 0, 1, none, fault: false);
            TrapExpect.User(suite, "user_debug_single_step", Routines.UserSingleStep, 0, 1, none, fault: false);
            TrapExpect.User(suite, "user_breakpoint_int3", Routines.UserInt3, 0, 3, none, fault: false);
            TrapExpect.User(suite, "user_breakpoint_int_3", Routines.UserInt_3, 0, 3, none, fault: false);
            TrapExpect.User(suite, "user_overflow_int_4", Routines.UserInt_4, 0, 4, none, fault: false);
            suite.Skip("user_overflow_into", "into is invalid in 64-bit mode; #OF is raised with int $4 (user_overflow_int_4)");
            TrapExpect.User(suite, "user_invalid_opcode", Routines.UserInvalidOpcode, 0, TrapNames.InvalidOpcode, none, fault: true);
            TrapExpect.User(suite, "user_general_protection_non_canonical", Routines.UserNonCanonical, 0, TrapNames.GeneralProtection, 0, fault: true);
            // User faults carry the user bit (4).
            TrapExpect.UserPageFault(suite, "user_page_fault_read_not_present", Routines.UserRead, Unmapped, 0x4, Unmapped, false);
            ulong kernel = (ulong)StartOfDay.StartInfo;
            TrapExpect.UserPageFault(suite, "user_page_fault_kernel_address", Routines.UserRead, kernel, 0x4, kernel, false);
            ulong readOnly = ReadOnlyUserPage();
            if (readOnly == 0)
                suite.Skip("user_page_fault_write_read_only", "could not map a read-only page into user mode");
            else
                TrapExpect.UserPageFault(suite, "user_page_fault_write_read_only", Routines.UserWrite, readOnly, 0x7, readOnly, false);
            TrapExpect.UserPageFault(suite, "user_page_fault_fetch", Routines.UserFetch, Unmapped, 0x14, Unmapped, true);
            TrapExpect.User(suite, "user_x87_error", Routines.UserX87Divide, 0, 16, none, fault: true);
            int userSimd = TrapExpect.RunUser(Routines.UserSimdDivide, 0);
            Simd(suite, "user_simd_error", userSimd, UserMode.Result);
            Alignment(suite, "user_alignment_check", TrapExpect.RunUser(Routines.UserAlignment, 0));
        }

        /// <summary>#AC needs CR0.AM (the hypervisor's) and an emulator that checks alignment; QEMU's TCG
        /// does not, so no trap is a skip, not a failure. Any other trap fails.</summary>
        private static void Alignment(TestSuite suite, string test, int vector)
        {
            if (vector == -1)
            {
                suite.Skip(test, "no #AC: the misaligned load with RFLAGS.AC set went through (CR0.AM clear or not emulated)");
                return;
            }
            suite.Result(test, vector == 17 && TrapTable.LastErrorCode == 0).Text(" vector ").Signed(vector)
                .Text(" error code ").Hex(TrapTable.LastErrorCode).Text(" (expected #AC vector 17 error code 0)").End();
        }

        /// <summary>#XM: an unmasked SIMD exception. QEMU's TCG records the exception in MXCSR but raises
        /// nothing, so no trap with the zero-divide flag set (and ZM clear) is a skip; any other outcome
        /// is checked.</summary>
        private static void Simd(TestSuite suite, string test, int vector, ulong mxcsr)
        {
            const ulong zeroDivideFlag = 1 << 2, zeroDivideMask = 1 << 9;
            if (vector == -1 && (mxcsr & zeroDivideFlag) != 0 && (mxcsr & zeroDivideMask) == 0)
            {
                suite.Skip(test, "no #XM: MXCSR shows the unmasked zero-divide (ZE set, ZM clear) but the emulator raised nothing");
                return;
            }
            ConsoleLine line = suite.Result(test, vector == 19).Char(' ');
            if (vector == 19)
                line.Text(TrapNames.Mnemonic(19)).Text(" vector 19 RIP ").Hex(TrapTable.LastFrame->Rip);
            else
                line.Text("expected #XM vector 19, got ").Text(vector < 0 ? "no trap, MXCSR " : "vector ").Hex(vector < 0 ? mxcsr : (ulong)vector);
            line.End();
        }

        /// <summary>A page of the heap mapped read-only into user mode, once.</summary>
        private static ulong ReadOnlyUserPage()
        {
            if (s_readOnlyUserPage != 0)
                return s_readOnlyUserPage;
            ulong page = (ulong)GuestMemory.AllocatePages(1);
            const ulong userAddress = 0x0000000020000000UL;
            if (UserMode.AddressSpace.MapKernelPage(userAddress, page, writable: false) != 0)
                return 0;
            s_readOnlyUserPage = userAddress;
            return userAddress;
        }
    }
}
