using System;

namespace Hypervisor.Core.Memory
{
    /// <summary>
    /// The core's only window onto physical memory at boot. The arch layer implements it with direct
    /// loads through its identity map; tests implement it over a byte array. Parsers ask
    /// <see cref="IsReadable"/> before touching any structure, so a bad pointer from firmware becomes a
    /// reported problem instead of a fault.
    /// </summary>
    public abstract class PhysicalMemory
    {
        /// <summary>True when every byte of [address, address + length) may be read.
        /// A length of zero is readable anywhere; a range that wraps past 2^64 never is.</summary>
        public abstract bool IsReadable(ulong address, ulong length);

        public abstract byte Read8(ulong address);

        // Little-endian composition from bytes; the arch overrides these with single loads.
        public virtual ushort Read16(ulong address)
        {
            return (ushort)(Read8(address) | (Read8(address + 1) << 8));
        }

        public virtual uint Read32(ulong address)
        {
            return Read16(address) | ((uint)Read16(address + 2) << 16);
        }

        public virtual ulong Read64(ulong address)
        {
            return Read32(address) | ((ulong)Read32(address + 4) << 32);
        }

        /// <summary>Copies memory into <paramref name="destination"/>; false (nothing copied) when the
        /// range is not readable.</summary>
        public bool TryCopy(ulong address, Span<byte> destination)
        {
            if (!IsReadable(address, (ulong)destination.Length))
            {
                return false;
            }

            for (int i = 0; i < destination.Length; i++)
            {
                destination[i] = Read8(address + (ulong)i);
            }

            return true;
        }
    }
}
