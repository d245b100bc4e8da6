using System;

namespace Hypervisor.Core.Memory
{
    /// <summary>
    /// The core's only window onto physical memory. The arch layer implements it with direct
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

        /// <summary>Writes one byte. Callers write only frames they own or were handed (a domain's
        /// frames, page-table frames of the hypervisor); the window itself does not check.</summary>
        public abstract void Write8(ulong address, byte value);

        public virtual void Write16(ulong address, ushort value)
        {
            Write8(address, (byte)value);
            Write8(address + 1, (byte)(value >> 8));
        }

        public virtual void Write32(ulong address, uint value)
        {
            Write16(address, (ushort)value);
            Write16(address + 2, (ushort)(value >> 16));
        }

        public virtual void Write64(ulong address, ulong value)
        {
            Write32(address, (uint)value);
            Write32(address + 4, (uint)(value >> 32));
        }

        // ---- Words a guest changes too, maybe at the same moment on another CPU (event bits, grant
        // flags): the arch layer overrides these with locked instructions. These forms are for one CPU. ----

        /// <summary>Sets <paramref name="bits"/> in the aligned 64-bit word at <paramref name="address"/>
        /// as one indivisible step; returns the word as it was.</summary>
        public virtual ulong SetBits64(ulong address, ulong bits)
        {
            ulong old = Read64(address);
            if ((old | bits) != old)
                Write64(address, old | bits);
            return old;
        }

        /// <summary>Clears <paramref name="bits"/> in the aligned 64-bit word as one step; returns the old word.</summary>
        public virtual ulong ClearBits64(ulong address, ulong bits)
        {
            ulong old = Read64(address);
            if ((old & ~bits) != old)
                Write64(address, old & ~bits);
            return old;
        }

        /// <summary>Clears <paramref name="bits"/> in the aligned 16-bit word as one step.</summary>
        public virtual void ClearBits16(ulong address, ushort bits)
        {
            Write16(address, (ushort)(Read16(address) & ~bits));
        }

        /// <summary>Writes <paramref name="desired"/> to the aligned 32-bit word if it still holds
        /// <paramref name="expected"/>, as one step; returns what it held.</summary>
        public virtual uint CompareExchange32(ulong address, uint expected, uint desired)
        {
            uint old = Read32(address);
            if (old == expected)
                Write32(address, desired);
            return old;
        }

        /// <summary>Sets [address, address + length) to <paramref name="value"/>.</summary>
        public virtual void Fill(ulong address, ulong length, byte value)
        {
            for (ulong i = 0; i < length; i++)
            {
                Write8(address + i, value);
            }
        }

        /// <summary>Copies [source, source + length) to destination; the ranges must not overlap.</summary>
        public virtual void Copy(ulong destination, ulong source, ulong length)
        {
            for (ulong i = 0; i < length; i++)
            {
                Write8(destination + i, Read8(source + i));
            }
        }

        /// <summary>Reads [address, address + destination.Length) without checking readability
        /// (the caller translated the address).</summary>
        public virtual void ReadBytes(ulong address, Span<byte> destination)
        {
            for (int i = 0; i < destination.Length; i++)
                destination[i] = Read8(address + (ulong)i);
        }

        /// <summary>Writes <paramref name="source"/> at <paramref name="address"/>.</summary>
        public virtual void WriteBytes(ulong address, ReadOnlySpan<byte> source)
        {
            for (int i = 0; i < source.Length; i++)
                Write8(address + (ulong)i, source[i]);
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
