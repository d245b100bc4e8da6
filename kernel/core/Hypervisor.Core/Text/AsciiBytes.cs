using System;

namespace Hypervisor.Core.Text
{
    /// <summary>Comparisons between ASCII bytes from firmware and string literals. The freestanding
    /// runtime has no string comparison, so text from the boot loader stays as bytes and is matched
    /// against literals with these.</summary>
    public static class AsciiBytes
    {
        public static bool Matches(ReadOnlySpan<byte> bytes, string literal)
        {
            if (bytes.Length != literal.Length)
            {
                return false;
            }

            for (int i = 0; i < bytes.Length; i++)
            {
                if (bytes[i] != literal[i])
                {
                    return false;
                }
            }

            return true;
        }

        public static bool MatchesIgnoreCase(ReadOnlySpan<byte> bytes, string literal)
        {
            if (bytes.Length != literal.Length)
            {
                return false;
            }

            for (int i = 0; i < bytes.Length; i++)
            {
                if (ToLower(bytes[i]) != ToLower((byte)literal[i]))
                {
                    return false;
                }
            }

            return true;
        }

        public static bool StartsWith(ReadOnlySpan<byte> bytes, string literal)
        {
            if (bytes.Length < literal.Length)
            {
                return false;
            }

            for (int i = 0; i < literal.Length; i++)
            {
                if (bytes[i] != literal[i])
                {
                    return false;
                }
            }

            return true;
        }

        public static byte ToLower(byte b)
        {
            if (b >= (byte)'A' && b <= (byte)'Z')
            {
                return (byte)(b + 32);
            }

            return b;
        }

        public static bool IsDigit(byte b)
        {
            return b >= (byte)'0' && b <= (byte)'9';
        }

        public static bool IsPrintable(byte b)
        {
            return b >= 0x20 && b < 0x7F;
        }

        /// <summary>A fresh array holding a copy of <paramref name="bytes"/> (setup time only: the
        /// freestanding heap never frees).</summary>
        public static byte[] Copy(ReadOnlySpan<byte> bytes)
        {
            byte[] copy = new byte[bytes.Length];
            for (int i = 0; i < bytes.Length; i++)
            {
                copy[i] = bytes[i];
            }

            return copy;
        }
    }
}
