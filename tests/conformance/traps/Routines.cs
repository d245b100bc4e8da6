using System.Runtime;
using System.Runtime.CompilerServices;

namespace Hypervisor.Conformance
{
    /// <summary>A routine of traps_routines.asm: its entry, the instruction that traps (At) and the one
    /// after it (After: where a trap, as opposed to a fault, resumes).</summary>
    internal struct Routine
    {
        public ulong Entry;
        public ulong At;
        public ulong After;

        public Routine(ulong entry, ulong at, ulong after)
        {
            Entry = entry;
            At = at;
            After = after;
        }
    }

    /// <summary>The addresses of the suite's assembly routines (one import per label).</summary>
    internal static unsafe class Routines
    {
        [RuntimeImport("kernel_divide_error"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelDivideErrorEntry();
        [RuntimeImport("kernel_divide_error_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelDivideErrorAt();
        [RuntimeImport("kernel_divide_error_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelDivideErrorAfter();
        public static Routine KernelDivideError => new Routine((ulong)(delegate*<void>)&KernelDivideErrorEntry, (ulong)(delegate*<void>)&KernelDivideErrorAt, (ulong)(delegate*<void>)&KernelDivideErrorAfter);

        [RuntimeImport("kernel_int3"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt3Entry();
        [RuntimeImport("kernel_int3_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt3At();
        [RuntimeImport("kernel_int3_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt3After();
        public static Routine KernelInt3 => new Routine((ulong)(delegate*<void>)&KernelInt3Entry, (ulong)(delegate*<void>)&KernelInt3At, (ulong)(delegate*<void>)&KernelInt3After);

        [RuntimeImport("kernel_icebp"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelIcebpEntry();
        [RuntimeImport("kernel_icebp_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelIcebpAt();
        [RuntimeImport("kernel_icebp_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelIcebpAfter();
        public static Routine KernelIcebp => new Routine((ulong)(delegate*<void>)&KernelIcebpEntry, (ulong)(delegate*<void>)&KernelIcebpAt, (ulong)(delegate*<void>)&KernelIcebpAfter);

        [RuntimeImport("kernel_single_step"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelSingleStepEntry();
        [RuntimeImport("kernel_single_step_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelSingleStepAt();
        [RuntimeImport("kernel_single_step_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelSingleStepAfter();
        public static Routine KernelSingleStep => new Routine((ulong)(delegate*<void>)&KernelSingleStepEntry, (ulong)(delegate*<void>)&KernelSingleStepAt, (ulong)(delegate*<void>)&KernelSingleStepAfter);

        [RuntimeImport("kernel_invalid_opcode"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInvalidOpcodeEntry();
        [RuntimeImport("kernel_invalid_opcode_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInvalidOpcodeAt();
        [RuntimeImport("kernel_invalid_opcode_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInvalidOpcodeAfter();
        public static Routine KernelInvalidOpcode => new Routine((ulong)(delegate*<void>)&KernelInvalidOpcodeEntry, (ulong)(delegate*<void>)&KernelInvalidOpcodeAt, (ulong)(delegate*<void>)&KernelInvalidOpcodeAfter);

        [RuntimeImport("kernel_into"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelIntoEntry();
        [RuntimeImport("kernel_into_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelIntoAt();
        [RuntimeImport("kernel_into_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelIntoAfter();
        public static Routine KernelInto => new Routine((ulong)(delegate*<void>)&KernelIntoEntry, (ulong)(delegate*<void>)&KernelIntoAt, (ulong)(delegate*<void>)&KernelIntoAfter);

        [RuntimeImport("kernel_non_canonical"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelNonCanonicalEntry();
        [RuntimeImport("kernel_non_canonical_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelNonCanonicalAt();
        [RuntimeImport("kernel_non_canonical_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelNonCanonicalAfter();
        public static Routine KernelNonCanonical => new Routine((ulong)(delegate*<void>)&KernelNonCanonicalEntry, (ulong)(delegate*<void>)&KernelNonCanonicalAt, (ulong)(delegate*<void>)&KernelNonCanonicalAfter);

        [RuntimeImport("kernel_read"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelReadEntry();
        [RuntimeImport("kernel_read_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelReadAt();
        [RuntimeImport("kernel_read_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelReadAfter();
        public static Routine KernelRead => new Routine((ulong)(delegate*<void>)&KernelReadEntry, (ulong)(delegate*<void>)&KernelReadAt, (ulong)(delegate*<void>)&KernelReadAfter);

        [RuntimeImport("kernel_write"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelWriteEntry();
        [RuntimeImport("kernel_write_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelWriteAt();
        [RuntimeImport("kernel_write_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelWriteAfter();
        public static Routine KernelWrite => new Routine((ulong)(delegate*<void>)&KernelWriteEntry, (ulong)(delegate*<void>)&KernelWriteAt, (ulong)(delegate*<void>)&KernelWriteAfter);

        [RuntimeImport("kernel_fetch"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelFetchEntry();
        [RuntimeImport("kernel_fetch_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelFetchAt();
        [RuntimeImport("kernel_fetch_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelFetchAfter();
        public static Routine KernelFetch => new Routine((ulong)(delegate*<void>)&KernelFetchEntry, (ulong)(delegate*<void>)&KernelFetchAt, (ulong)(delegate*<void>)&KernelFetchAfter);

        [RuntimeImport("kernel_sse"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelSseEntry();
        [RuntimeImport("kernel_sse_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelSseAt();
        [RuntimeImport("kernel_sse_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelSseAfter();
        public static Routine KernelSse => new Routine((ulong)(delegate*<void>)&KernelSseEntry, (ulong)(delegate*<void>)&KernelSseAt, (ulong)(delegate*<void>)&KernelSseAfter);

        [RuntimeImport("kernel_simd_divide"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelSimdDivideEntry();
        [RuntimeImport("kernel_simd_divide_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelSimdDivideAt();
        [RuntimeImport("kernel_simd_divide_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelSimdDivideAfter();
        public static Routine KernelSimdDivide => new Routine((ulong)(delegate*<void>)&KernelSimdDivideEntry, (ulong)(delegate*<void>)&KernelSimdDivideAt, (ulong)(delegate*<void>)&KernelSimdDivideAfter);

        [RuntimeImport("kernel_x87_divide"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelX87DivideEntry();
        [RuntimeImport("kernel_x87_divide_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelX87DivideAt();
        [RuntimeImport("kernel_x87_divide_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelX87DivideAfter();
        public static Routine KernelX87Divide => new Routine((ulong)(delegate*<void>)&KernelX87DivideEntry, (ulong)(delegate*<void>)&KernelX87DivideAt, (ulong)(delegate*<void>)&KernelX87DivideAfter);

        [RuntimeImport("kernel_alignment"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelAlignmentEntry();
        [RuntimeImport("kernel_alignment_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelAlignmentAt();
        [RuntimeImport("kernel_alignment_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelAlignmentAfter();
        public static Routine KernelAlignment => new Routine((ulong)(delegate*<void>)&KernelAlignmentEntry, (ulong)(delegate*<void>)&KernelAlignmentAt, (ulong)(delegate*<void>)&KernelAlignmentAfter);

        [RuntimeImport("kernel_int_3"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt_3Entry();
        [RuntimeImport("kernel_int_3_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt_3At();
        [RuntimeImport("kernel_int_3_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt_3After();
        public static Routine KernelInt_3 => new Routine((ulong)(delegate*<void>)&KernelInt_3Entry, (ulong)(delegate*<void>)&KernelInt_3At, (ulong)(delegate*<void>)&KernelInt_3After);

        [RuntimeImport("kernel_int_4"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt_4Entry();
        [RuntimeImport("kernel_int_4_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt_4At();
        [RuntimeImport("kernel_int_4_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt_4After();
        public static Routine KernelInt_4 => new Routine((ulong)(delegate*<void>)&KernelInt_4Entry, (ulong)(delegate*<void>)&KernelInt_4At, (ulong)(delegate*<void>)&KernelInt_4After);

        [RuntimeImport("kernel_int_5"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt_5Entry();
        [RuntimeImport("kernel_int_5_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt_5At();
        [RuntimeImport("kernel_int_5_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt_5After();
        public static Routine KernelInt_5 => new Routine((ulong)(delegate*<void>)&KernelInt_5Entry, (ulong)(delegate*<void>)&KernelInt_5At, (ulong)(delegate*<void>)&KernelInt_5After);

        [RuntimeImport("kernel_int_13"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt_13Entry();
        [RuntimeImport("kernel_int_13_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt_13At();
        [RuntimeImport("kernel_int_13_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt_13After();
        public static Routine KernelInt_13 => new Routine((ulong)(delegate*<void>)&KernelInt_13Entry, (ulong)(delegate*<void>)&KernelInt_13At, (ulong)(delegate*<void>)&KernelInt_13After);

        [RuntimeImport("kernel_int_0x40"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt_0x40Entry();
        [RuntimeImport("kernel_int_0x40_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt_0x40At();
        [RuntimeImport("kernel_int_0x40_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt_0x40After();
        public static Routine KernelInt_0x40 => new Routine((ulong)(delegate*<void>)&KernelInt_0x40Entry, (ulong)(delegate*<void>)&KernelInt_0x40At, (ulong)(delegate*<void>)&KernelInt_0x40After);

        [RuntimeImport("kernel_int_0x41"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt_0x41Entry();
        [RuntimeImport("kernel_int_0x41_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt_0x41At();
        [RuntimeImport("kernel_int_0x41_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt_0x41After();
        public static Routine KernelInt_0x41 => new Routine((ulong)(delegate*<void>)&KernelInt_0x41Entry, (ulong)(delegate*<void>)&KernelInt_0x41At, (ulong)(delegate*<void>)&KernelInt_0x41After);

        [RuntimeImport("kernel_int_0x42"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt_0x42Entry();
        [RuntimeImport("kernel_int_0x42_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt_0x42At();
        [RuntimeImport("kernel_int_0x42_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt_0x42After();
        public static Routine KernelInt_0x42 => new Routine((ulong)(delegate*<void>)&KernelInt_0x42Entry, (ulong)(delegate*<void>)&KernelInt_0x42At, (ulong)(delegate*<void>)&KernelInt_0x42After);

        [RuntimeImport("kernel_int_0x43"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt_0x43Entry();
        [RuntimeImport("kernel_int_0x43_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt_0x43At();
        [RuntimeImport("kernel_int_0x43_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt_0x43After();
        public static Routine KernelInt_0x43 => new Routine((ulong)(delegate*<void>)&KernelInt_0x43Entry, (ulong)(delegate*<void>)&KernelInt_0x43At, (ulong)(delegate*<void>)&KernelInt_0x43After);

        [RuntimeImport("kernel_int_0x44"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt_0x44Entry();
        [RuntimeImport("kernel_int_0x44_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt_0x44At();
        [RuntimeImport("kernel_int_0x44_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt_0x44After();
        public static Routine KernelInt_0x44 => new Routine((ulong)(delegate*<void>)&KernelInt_0x44Entry, (ulong)(delegate*<void>)&KernelInt_0x44At, (ulong)(delegate*<void>)&KernelInt_0x44After);

        [RuntimeImport("kernel_int_0x45"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt_0x45Entry();
        [RuntimeImport("kernel_int_0x45_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt_0x45At();
        [RuntimeImport("kernel_int_0x45_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt_0x45After();
        public static Routine KernelInt_0x45 => new Routine((ulong)(delegate*<void>)&KernelInt_0x45Entry, (ulong)(delegate*<void>)&KernelInt_0x45At, (ulong)(delegate*<void>)&KernelInt_0x45After);

        [RuntimeImport("user_divide_error"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserDivideErrorEntry();
        [RuntimeImport("user_divide_error_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserDivideErrorAt();
        [RuntimeImport("user_divide_error_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserDivideErrorAfter();
        public static Routine UserDivideError => new Routine((ulong)(delegate*<void>)&UserDivideErrorEntry, (ulong)(delegate*<void>)&UserDivideErrorAt, (ulong)(delegate*<void>)&UserDivideErrorAfter);

        [RuntimeImport("user_int3"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserInt3Entry();
        [RuntimeImport("user_int3_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserInt3At();
        [RuntimeImport("user_int3_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserInt3After();
        public static Routine UserInt3 => new Routine((ulong)(delegate*<void>)&UserInt3Entry, (ulong)(delegate*<void>)&UserInt3At, (ulong)(delegate*<void>)&UserInt3After);

        [RuntimeImport("user_icebp"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserIcebpEntry();
        [RuntimeImport("user_icebp_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserIcebpAt();
        [RuntimeImport("user_icebp_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserIcebpAfter();
        public static Routine UserIcebp => new Routine((ulong)(delegate*<void>)&UserIcebpEntry, (ulong)(delegate*<void>)&UserIcebpAt, (ulong)(delegate*<void>)&UserIcebpAfter);

        [RuntimeImport("user_single_step"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserSingleStepEntry();
        [RuntimeImport("user_single_step_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserSingleStepAt();
        [RuntimeImport("user_single_step_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserSingleStepAfter();
        public static Routine UserSingleStep => new Routine((ulong)(delegate*<void>)&UserSingleStepEntry, (ulong)(delegate*<void>)&UserSingleStepAt, (ulong)(delegate*<void>)&UserSingleStepAfter);

        [RuntimeImport("user_invalid_opcode"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserInvalidOpcodeEntry();
        [RuntimeImport("user_invalid_opcode_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserInvalidOpcodeAt();
        [RuntimeImport("user_invalid_opcode_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserInvalidOpcodeAfter();
        public static Routine UserInvalidOpcode => new Routine((ulong)(delegate*<void>)&UserInvalidOpcodeEntry, (ulong)(delegate*<void>)&UserInvalidOpcodeAt, (ulong)(delegate*<void>)&UserInvalidOpcodeAfter);

        [RuntimeImport("user_into"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserIntoEntry();
        [RuntimeImport("user_into_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserIntoAt();
        [RuntimeImport("user_into_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserIntoAfter();
        public static Routine UserInto => new Routine((ulong)(delegate*<void>)&UserIntoEntry, (ulong)(delegate*<void>)&UserIntoAt, (ulong)(delegate*<void>)&UserIntoAfter);

        [RuntimeImport("user_non_canonical"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserNonCanonicalEntry();
        [RuntimeImport("user_non_canonical_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserNonCanonicalAt();
        [RuntimeImport("user_non_canonical_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserNonCanonicalAfter();
        public static Routine UserNonCanonical => new Routine((ulong)(delegate*<void>)&UserNonCanonicalEntry, (ulong)(delegate*<void>)&UserNonCanonicalAt, (ulong)(delegate*<void>)&UserNonCanonicalAfter);

        [RuntimeImport("user_read"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserReadEntry();
        [RuntimeImport("user_read_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserReadAt();
        [RuntimeImport("user_read_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserReadAfter();
        public static Routine UserRead => new Routine((ulong)(delegate*<void>)&UserReadEntry, (ulong)(delegate*<void>)&UserReadAt, (ulong)(delegate*<void>)&UserReadAfter);

        [RuntimeImport("user_write"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserWriteEntry();
        [RuntimeImport("user_write_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserWriteAt();
        [RuntimeImport("user_write_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserWriteAfter();
        public static Routine UserWrite => new Routine((ulong)(delegate*<void>)&UserWriteEntry, (ulong)(delegate*<void>)&UserWriteAt, (ulong)(delegate*<void>)&UserWriteAfter);

        [RuntimeImport("user_fetch"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserFetchEntry();
        [RuntimeImport("user_fetch_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserFetchAt();
        [RuntimeImport("user_fetch_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserFetchAfter();
        public static Routine UserFetch => new Routine((ulong)(delegate*<void>)&UserFetchEntry, (ulong)(delegate*<void>)&UserFetchAt, (ulong)(delegate*<void>)&UserFetchAfter);

        [RuntimeImport("user_sse"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserSseEntry();
        [RuntimeImport("user_sse_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserSseAt();
        [RuntimeImport("user_sse_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserSseAfter();
        public static Routine UserSse => new Routine((ulong)(delegate*<void>)&UserSseEntry, (ulong)(delegate*<void>)&UserSseAt, (ulong)(delegate*<void>)&UserSseAfter);

        [RuntimeImport("user_simd_divide"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserSimdDivideEntry();
        [RuntimeImport("user_simd_divide_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserSimdDivideAt();
        [RuntimeImport("user_simd_divide_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserSimdDivideAfter();
        public static Routine UserSimdDivide => new Routine((ulong)(delegate*<void>)&UserSimdDivideEntry, (ulong)(delegate*<void>)&UserSimdDivideAt, (ulong)(delegate*<void>)&UserSimdDivideAfter);

        [RuntimeImport("user_x87_divide"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserX87DivideEntry();
        [RuntimeImport("user_x87_divide_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserX87DivideAt();
        [RuntimeImport("user_x87_divide_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserX87DivideAfter();
        public static Routine UserX87Divide => new Routine((ulong)(delegate*<void>)&UserX87DivideEntry, (ulong)(delegate*<void>)&UserX87DivideAt, (ulong)(delegate*<void>)&UserX87DivideAfter);

        [RuntimeImport("user_alignment"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserAlignmentEntry();
        [RuntimeImport("user_alignment_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserAlignmentAt();
        [RuntimeImport("user_alignment_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserAlignmentAfter();
        public static Routine UserAlignment => new Routine((ulong)(delegate*<void>)&UserAlignmentEntry, (ulong)(delegate*<void>)&UserAlignmentAt, (ulong)(delegate*<void>)&UserAlignmentAfter);

        [RuntimeImport("user_int_3"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserInt_3Entry();
        [RuntimeImport("user_int_3_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserInt_3At();
        [RuntimeImport("user_int_3_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserInt_3After();
        public static Routine UserInt_3 => new Routine((ulong)(delegate*<void>)&UserInt_3Entry, (ulong)(delegate*<void>)&UserInt_3At, (ulong)(delegate*<void>)&UserInt_3After);

        [RuntimeImport("user_int_4"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserInt_4Entry();
        [RuntimeImport("user_int_4_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserInt_4At();
        [RuntimeImport("user_int_4_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserInt_4After();
        public static Routine UserInt_4 => new Routine((ulong)(delegate*<void>)&UserInt_4Entry, (ulong)(delegate*<void>)&UserInt_4At, (ulong)(delegate*<void>)&UserInt_4After);

        [RuntimeImport("user_int_5"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserInt_5Entry();
        [RuntimeImport("user_int_5_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserInt_5At();
        [RuntimeImport("user_int_5_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserInt_5After();
        public static Routine UserInt_5 => new Routine((ulong)(delegate*<void>)&UserInt_5Entry, (ulong)(delegate*<void>)&UserInt_5At, (ulong)(delegate*<void>)&UserInt_5After);

        [RuntimeImport("user_int_13"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserInt_13Entry();
        [RuntimeImport("user_int_13_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserInt_13At();
        [RuntimeImport("user_int_13_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserInt_13After();
        public static Routine UserInt_13 => new Routine((ulong)(delegate*<void>)&UserInt_13Entry, (ulong)(delegate*<void>)&UserInt_13At, (ulong)(delegate*<void>)&UserInt_13After);

        [RuntimeImport("user_int_0x40"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserInt_0x40Entry();
        [RuntimeImport("user_int_0x40_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserInt_0x40At();
        [RuntimeImport("user_int_0x40_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserInt_0x40After();
        public static Routine UserInt_0x40 => new Routine((ulong)(delegate*<void>)&UserInt_0x40Entry, (ulong)(delegate*<void>)&UserInt_0x40At, (ulong)(delegate*<void>)&UserInt_0x40After);

        [RuntimeImport("user_int_0x41"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserInt_0x41Entry();
        [RuntimeImport("user_int_0x41_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserInt_0x41At();
        [RuntimeImport("user_int_0x41_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserInt_0x41After();
        public static Routine UserInt_0x41 => new Routine((ulong)(delegate*<void>)&UserInt_0x41Entry, (ulong)(delegate*<void>)&UserInt_0x41At, (ulong)(delegate*<void>)&UserInt_0x41After);

        [RuntimeImport("user_int_0x42"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserInt_0x42Entry();
        [RuntimeImport("user_int_0x42_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserInt_0x42At();
        [RuntimeImport("user_int_0x42_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserInt_0x42After();
        public static Routine UserInt_0x42 => new Routine((ulong)(delegate*<void>)&UserInt_0x42Entry, (ulong)(delegate*<void>)&UserInt_0x42At, (ulong)(delegate*<void>)&UserInt_0x42After);

        [RuntimeImport("user_int_0x43"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserInt_0x43Entry();
        [RuntimeImport("user_int_0x43_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserInt_0x43At();
        [RuntimeImport("user_int_0x43_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserInt_0x43After();
        public static Routine UserInt_0x43 => new Routine((ulong)(delegate*<void>)&UserInt_0x43Entry, (ulong)(delegate*<void>)&UserInt_0x43At, (ulong)(delegate*<void>)&UserInt_0x43After);

        [RuntimeImport("user_int_0x44"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserInt_0x44Entry();
        [RuntimeImport("user_int_0x44_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserInt_0x44At();
        [RuntimeImport("user_int_0x44_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserInt_0x44After();
        public static Routine UserInt_0x44 => new Routine((ulong)(delegate*<void>)&UserInt_0x44Entry, (ulong)(delegate*<void>)&UserInt_0x44At, (ulong)(delegate*<void>)&UserInt_0x44After);

        [RuntimeImport("user_int_0x45"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserInt_0x45Entry();
        [RuntimeImport("user_int_0x45_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserInt_0x45At();
        [RuntimeImport("user_int_0x45_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void UserInt_0x45After();
        public static Routine UserInt_0x45 => new Routine((ulong)(delegate*<void>)&UserInt_0x45Entry, (ulong)(delegate*<void>)&UserInt_0x45At, (ulong)(delegate*<void>)&UserInt_0x45After);

        [RuntimeImport("kernel_taskswitched_sse"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelTaskswitchedSseEntry();
        [RuntimeImport("kernel_taskswitched_sse_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelTaskswitchedSseAt();
        [RuntimeImport("kernel_taskswitched_sse_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelTaskswitchedSseAfter();
        public static Routine KernelTaskswitchedSse => new Routine((ulong)(delegate*<void>)&KernelTaskswitchedSseEntry, (ulong)(delegate*<void>)&KernelTaskswitchedSseAt, (ulong)(delegate*<void>)&KernelTaskswitchedSseAfter);

        [RuntimeImport("kernel_int3_misaligned"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt3MisalignedEntry();
        [RuntimeImport("kernel_int3_misaligned_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt3MisalignedAt();
        [RuntimeImport("kernel_int3_misaligned_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt3MisalignedAfter();
        public static Routine KernelInt3Misaligned => new Routine((ulong)(delegate*<void>)&KernelInt3MisalignedEntry, (ulong)(delegate*<void>)&KernelInt3MisalignedAt, (ulong)(delegate*<void>)&KernelInt3MisalignedAfter);

        [RuntimeImport("kernel_int3_rcx_r11"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt3RcxR11Entry();
        [RuntimeImport("kernel_int3_rcx_r11_at"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt3RcxR11At();
        [RuntimeImport("kernel_int3_rcx_r11_after"), MethodImpl(MethodImplOptions.InternalCall)] private static extern void KernelInt3RcxR11After();
        public static Routine KernelInt3RcxR11 => new Routine((ulong)(delegate*<void>)&KernelInt3RcxR11Entry, (ulong)(delegate*<void>)&KernelInt3RcxR11At, (ulong)(delegate*<void>)&KernelInt3RcxR11After);
    }
}
