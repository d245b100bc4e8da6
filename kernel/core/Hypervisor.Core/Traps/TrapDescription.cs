using Hypervisor.Core.Text;

namespace Hypervisor.Core.Traps
{
    /// <summary>
    /// Names and decodes x86 exception vectors for the panic screen, so a crash reads
    /// "#PF Page fault (not-present, write, supervisor)" instead of "vector 14, error 2". Pure
    /// decoding: the arch layer catches the trap and calls this.
    /// </summary>
    public static class TrapDescription
    {
        public const int DivideError = 0;
        public const int Debug = 1;
        public const int NonMaskableInterrupt = 2;
        public const int Breakpoint = 3;
        public const int Overflow = 4;
        public const int BoundRange = 5;
        public const int InvalidOpcode = 6;
        public const int DeviceNotAvailable = 7;
        public const int DoubleFault = 8;
        public const int InvalidTss = 10;
        public const int SegmentNotPresent = 11;
        public const int StackFault = 12;
        public const int GeneralProtection = 13;
        public const int PageFault = 14;
        public const int FloatingPointError = 16;
        public const int AlignmentCheck = 17;
        public const int MachineCheck = 18;
        public const int SimdError = 19;
        public const int VirtualizationException = 20;
        public const int ControlProtection = 21;
        public const int HypervisorInjection = 28;
        public const int VmmCommunication = 29;
        public const int SecurityException = 30;

        /// <summary>The short name ("#PF", "NMI"); "" for vectors that are not architectural
        /// exceptions (reserved ones and interrupts 32-255).</summary>
        public static string Mnemonic(int vector)
        {
            switch (vector)
            {
                case DivideError: return "#DE";
                case Debug: return "#DB";
                case NonMaskableInterrupt: return "NMI";
                case Breakpoint: return "#BP";
                case Overflow: return "#OF";
                case BoundRange: return "#BR";
                case InvalidOpcode: return "#UD";
                case DeviceNotAvailable: return "#NM";
                case DoubleFault: return "#DF";
                case InvalidTss: return "#TS";
                case SegmentNotPresent: return "#NP";
                case StackFault: return "#SS";
                case GeneralProtection: return "#GP";
                case PageFault: return "#PF";
                case FloatingPointError: return "#MF";
                case AlignmentCheck: return "#AC";
                case MachineCheck: return "#MC";
                case SimdError: return "#XM";
                case VirtualizationException: return "#VE";
                case ControlProtection: return "#CP";
                case HypervisorInjection: return "#HV";
                case VmmCommunication: return "#VC";
                case SecurityException: return "#SX";
                default: return "";
            }
        }

        /// <summary>The full name; "Reserved exception" for reserved vectors below 32 and
        /// "Interrupt" above.</summary>
        public static string Name(int vector)
        {
            switch (vector)
            {
                case DivideError: return "Divide error";
                case Debug: return "Debug exception";
                case NonMaskableInterrupt: return "Non-maskable interrupt";
                case Breakpoint: return "Breakpoint";
                case Overflow: return "Overflow";
                case BoundRange: return "BOUND range exceeded";
                case InvalidOpcode: return "Invalid opcode";
                case DeviceNotAvailable: return "Device not available";
                case DoubleFault: return "Double fault";
                case 9: return "Coprocessor segment overrun";
                case InvalidTss: return "Invalid TSS";
                case SegmentNotPresent: return "Segment not present";
                case StackFault: return "Stack-segment fault";
                case GeneralProtection: return "General protection fault";
                case PageFault: return "Page fault";
                case FloatingPointError: return "x87 floating-point error";
                case AlignmentCheck: return "Alignment check";
                case MachineCheck: return "Machine check";
                case SimdError: return "SIMD floating-point exception";
                case VirtualizationException: return "Virtualization exception";
                case ControlProtection: return "Control protection exception";
                case HypervisorInjection: return "Hypervisor injection exception";
                case VmmCommunication: return "VMM communication exception";
                case SecurityException: return "Security exception";
                default: return vector >= 0 && vector < 32 ? "Reserved exception" : "Interrupt";
            }
        }

        /// <summary>True when the CPU pushes an error code for this vector (so the trap stub must not
        /// push a dummy one).</summary>
        public static bool PushesErrorCode(int vector)
        {
            switch (vector)
            {
                case DoubleFault:
                case InvalidTss:
                case SegmentNotPresent:
                case StackFault:
                case GeneralProtection:
                case PageFault:
                case AlignmentCheck:
                case ControlProtection:
                case VmmCommunication:
                case SecurityException:
                    return true;
                default:
                    return false;
            }
        }

        /// <summary>True when the error code is a selector error code (#TS, #NP, #SS, #GP).</summary>
        public static bool HasSelectorErrorCode(int vector)
        {
            return vector == InvalidTss || vector == SegmentNotPresent || vector == StackFault || vector == GeneralProtection;
        }

        /// <summary>
        /// Writes "vector 14 #PF Page fault" and, for vectors with an error code, " error 0x0002 (...)"
        /// with the decoded bits. Does not end the line.
        /// </summary>
        public static LogLine Describe(LogLine line, int vector, ulong errorCode)
        {
            line = line.Text("vector ").Dec((long)vector);
            string mnemonic = Mnemonic(vector);
            if (mnemonic.Length != 0)
            {
                line = line.Text(" ").Text(mnemonic);
            }

            line = line.Text(" ").Text(Name(vector));
            if (!PushesErrorCode(vector))
            {
                return line;
            }

            line = line.Text(", error ").Hex(errorCode, 4);
            if (vector == PageFault)
            {
                line = DescribePageFaultError(line.Text(" ("), errorCode).Text(")");
            }
            else if (HasSelectorErrorCode(vector))
            {
                line = DescribeSelectorError(line.Text(" ("), errorCode).Text(")");
            }
            else if (vector == ControlProtection)
            {
                line = line.Text(" (").Text(ControlProtectionCause(errorCode)).Text(")");
            }

            return line;
        }

        /// <summary>
        /// Page-fault error code as words, e.g. "not-present, write, user". Bit 0 present (protection
        /// violation) or not; bit 1 write/read; bit 2 user/supervisor; bit 3 reserved bit set in a
        /// paging entry; bit 4 instruction fetch; bit 5 protection key; bit 6 shadow stack; bit 15 SGX.
        /// </summary>
        public static LogLine DescribePageFaultError(LogLine line, ulong errorCode)
        {
            line = line.Text((errorCode & 1) != 0 ? "protection-violation" : "not-present");
            line = line.Text((errorCode & 2) != 0 ? ", write" : ", read");
            line = line.Text((errorCode & 4) != 0 ? ", user" : ", supervisor");
            if ((errorCode & 8) != 0)
            {
                line = line.Text(", reserved-bit");
            }

            if ((errorCode & 16) != 0)
            {
                line = line.Text(", instruction-fetch");
            }

            if ((errorCode & 32) != 0)
            {
                line = line.Text(", protection-key");
            }

            if ((errorCode & 64) != 0)
            {
                line = line.Text(", shadow-stack");
            }

            if ((errorCode & 0x8000) != 0)
            {
                line = line.Text(", sgx");
            }

            return line;
        }

        /// <summary>
        /// Selector error code as words: bit 0 external event, bit 1 the index is an IDT vector,
        /// else bit 2 chooses LDT or GDT; bits 3-15 the index. Zero means "no selector" (the fault
        /// was not about a particular descriptor).
        /// </summary>
        public static LogLine DescribeSelectorError(LogLine line, ulong errorCode)
        {
            if ((errorCode & 0xFFFF) == 0)
            {
                return line.Text("no selector");
            }

            if ((errorCode & 1) != 0)
            {
                line = line.Text("external, ");
            }

            ulong index = (errorCode >> 3) & 0x1FFF;
            if ((errorCode & 2) != 0)
            {
                return line.Text("IDT vector ").Dec(index);
            }

            line = line.Text((errorCode & 4) != 0 ? "LDT" : "GDT");
            return line.Text(" index ").Dec(index).Text(" (selector ").Hex(errorCode & 0xFFF8, 4).Text(")");
        }

        /// <summary>#CP error code: which CET check failed.</summary>
        public static string ControlProtectionCause(ulong errorCode)
        {
            switch (errorCode & 0x7FFF)
            {
                case 1: return "near RET";
                case 2: return "far RET/IRET";
                case 3: return "missing ENDBRANCH";
                case 4: return "RSTORSSP";
                case 5: return "SETSSBSY";
                default: return "unknown cause";
            }
        }
    }
}
