using Hypervisor.Core.Memory;

namespace Hypervisor.Core.Boot
{
    /// <summary>Copies a NUL-terminated string out of physical memory, never reading past what is
    /// readable or past a caller's limit.</summary>
    public static class NulTerminatedString
    {
        /// <summary>
        /// The bytes before the NUL at <paramref name="address"/>, at most <paramref name="maxLength"/>.
        /// <paramref name="terminated"/> is false when no NUL was found within the limit or the string
        /// runs into unreadable memory; the bytes read so far are still returned.
        /// </summary>
        public static byte[] Read(PhysicalMemory memory, ulong address, int maxLength, out bool terminated)
        {
            int length = 0;
            terminated = false;
            while (length < maxLength)
            {
                ulong at = address + (ulong)length;
                if (at < address || !memory.IsReadable(at, 1))
                {
                    break;
                }

                if (memory.Read8(at) == 0)
                {
                    terminated = true;
                    break;
                }

                length++;
            }

            byte[] bytes = new byte[length];
            for (int i = 0; i < length; i++)
            {
                bytes[i] = memory.Read8(address + (ulong)i);
            }

            return bytes;
        }
    }
}
