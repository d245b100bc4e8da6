using Hypervisor.Core.Memory;

namespace Hypervisor.Core.Acpi
{
    /// <summary>
    /// Finds the <c>\_S5_</c> (soft-off) package in the DSDT's AML without an AML interpreter. Firmware
    /// encodes it as <c>NameOp [\] "_S5_" PackageOp PkgLength NumElements elem elem ...</c>; the first
    /// two elements are SLP_TYPa and SLP_TYPb, each as BytePrefix (0x0A) + byte, ZeroOp (0x00) or
    /// OneOp (0x01) (WordPrefix/DWordPrefix also accepted). Occurrences of "_S5_" not followed by a
    /// well-formed package (a reference inside a method, say) are skipped.
    /// </summary>
    public static class SleepStateS5
    {
        private const byte PackageOp = 0x12;
        private const byte ZeroOp = 0x00;
        private const byte OneOp = 0x01;
        private const byte BytePrefix = 0x0A;
        private const byte WordPrefix = 0x0B;
        private const byte DWordPrefix = 0x0C;

        /// <summary>Searches the AML in [start, end) (callers pass the DSDT body after its header and
        /// must have checked it is readable).</summary>
        public static bool TryFind(PhysicalMemory memory, ulong start, ulong end, out byte slpTypA, out byte slpTypB)
        {
            for (ulong at = start; at + 4 <= end; at++)
            {
                if (memory.Read8(at) == (byte)'_' && memory.Read8(at + 1) == (byte)'S'
                    && memory.Read8(at + 2) == (byte)'5' && memory.Read8(at + 3) == (byte)'_'
                    && TryDecodePackage(memory, at + 4, end, out slpTypA, out slpTypB))
                {
                    return true;
                }
            }

            slpTypA = 0;
            slpTypB = 0;
            return false;
        }

        private static bool TryDecodePackage(PhysicalMemory memory, ulong at, ulong end, out byte slpTypA, out byte slpTypB)
        {
            slpTypA = 0;
            slpTypB = 0;
            if (at >= end || memory.Read8(at) != PackageOp)
            {
                return false;
            }

            at++;
            if (at >= end)
            {
                return false;
            }

            // PkgLength: bits 7-6 of the lead byte count the bytes that follow it (0..3).
            ulong lengthBytes = 1 + (ulong)(memory.Read8(at) >> 6);
            at += lengthBytes;
            if (at >= end)
            {
                return false;
            }

            byte elements = memory.Read8(at);
            at++;
            if (elements == 0)
            {
                return false;
            }

            uint value;
            if (!TryDecodeInteger(memory, ref at, end, out value))
            {
                return false;
            }

            slpTypA = (byte)value;
            if (elements >= 2)
            {
                if (!TryDecodeInteger(memory, ref at, end, out value))
                {
                    return false;
                }

                slpTypB = (byte)value;
            }

            return true;
        }

        private static bool TryDecodeInteger(PhysicalMemory memory, ref ulong at, ulong end, out uint value)
        {
            value = 0;
            if (at >= end)
            {
                return false;
            }

            byte op = memory.Read8(at);
            switch (op)
            {
                case ZeroOp:
                    at += 1;
                    return true;
                case OneOp:
                    value = 1;
                    at += 1;
                    return true;
                case BytePrefix:
                    if (end - at < 2)
                    {
                        return false;
                    }

                    value = memory.Read8(at + 1);
                    at += 2;
                    return true;
                case WordPrefix:
                    if (end - at < 3)
                    {
                        return false;
                    }

                    value = memory.Read16(at + 1);
                    at += 3;
                    return true;
                case DWordPrefix:
                    if (end - at < 5)
                    {
                        return false;
                    }

                    value = memory.Read32(at + 1);
                    at += 5;
                    return true;
                default:
                    return false;
            }
        }
    }
}
