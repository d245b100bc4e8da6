namespace Hypervisor.Guest
{
    /// <summary>Mnemonics and meanings of the x86 exception vectors, for messages.</summary>
    public static class TrapNames
    {
        public const int DivideError = 0;
        public const int Debug = 1;
        public const int Breakpoint = 3;
        public const int InvalidOpcode = 6;
        public const int GeneralProtection = 13;
        public const int PageFault = 14;

        public static string Mnemonic(ulong vector)
        {
            switch (vector)
            {
                case 0: return "#DE";
                case 1: return "#DB";
                case 2: return "NMI";
                case 3: return "#BP";
                case 4: return "#OF";
                case 5: return "#BR";
                case 6: return "#UD";
                case 7: return "#NM";
                case 8: return "#DF";
                case 10: return "#TS";
                case 11: return "#NP";
                case 12: return "#SS";
                case 13: return "#GP";
                case 14: return "#PF";
                case 16: return "#MF";
                case 17: return "#AC";
                case 18: return "#MC";
                case 19: return "#XM";
                case 20: return "#VE";
                case 21: return "#CP";
                default: return "vector";
            }
        }

        public static string Meaning(ulong vector)
        {
            switch (vector)
            {
                case 0: return "divide error";
                case 1: return "debug";
                case 2: return "non-maskable interrupt";
                case 3: return "breakpoint";
                case 4: return "overflow";
                case 5: return "bound range exceeded";
                case 6: return "invalid opcode";
                case 7: return "device not available";
                case 8: return "double fault";
                case 10: return "invalid TSS";
                case 11: return "segment not present";
                case 12: return "stack fault";
                case 13: return "general protection";
                case 14: return "page fault";
                case 16: return "x87 floating-point error";
                case 17: return "alignment check";
                case 18: return "machine check";
                case 19: return "SIMD floating-point error";
                default: return "interrupt or reserved vector";
            }
        }
    }
}
