namespace Hypervisor.Core.Domains
{
    /// <summary>General registers by their instruction-encoding number (0 RAX, 1 RCX, 2 RDX, 3 RBX,
    /// 4 RSP, 5 RBP, 6 RSI, 7 RDI, 8-15 R8-R15), for instruction emulation.</summary>
    public static class GuestRegisterFile
    {
        public static ulong Get(ref GuestRegisters r, int index)
        {
            switch (index)
            {
                case 0: return r.Rax;
                case 1: return r.Rcx;
                case 2: return r.Rdx;
                case 3: return r.Rbx;
                case 4: return r.Rsp;
                case 5: return r.Rbp;
                case 6: return r.Rsi;
                case 7: return r.Rdi;
                case 8: return r.R8;
                case 9: return r.R9;
                case 10: return r.R10;
                case 11: return r.R11;
                case 12: return r.R12;
                case 13: return r.R13;
                case 14: return r.R14;
                default: return r.R15;
            }
        }

        public static void Set(ref GuestRegisters r, int index, ulong value)
        {
            switch (index)
            {
                case 0: r.Rax = value; break;
                case 1: r.Rcx = value; break;
                case 2: r.Rdx = value; break;
                case 3: r.Rbx = value; break;
                case 4: r.Rsp = value; break;
                case 5: r.Rbp = value; break;
                case 6: r.Rsi = value; break;
                case 7: r.Rdi = value; break;
                case 8: r.R8 = value; break;
                case 9: r.R9 = value; break;
                case 10: r.R10 = value; break;
                case 11: r.R11 = value; break;
                case 12: r.R12 = value; break;
                case 13: r.R13 = value; break;
                case 14: r.R14 = value; break;
                default: r.R15 = value; break;
            }
        }
    }
}
