using System;
using System.Collections.Generic;
using Hypervisor.Core.Memory;

namespace Hypervisor.Core.Tests.Support
{
    /// <summary>Sparse physical memory for tests: a few mapped ranges backed by byte arrays; anything
    /// else is unreadable. Reading outside a mapped range fails the test loudly, which is how the tests
    /// prove that parsers check IsReadable first.</summary>
    public sealed class FakeMemory : PhysicalMemory
    {
        private readonly List<(ulong Base, byte[] Data)> ranges = new List<(ulong, byte[])>();

        public int Reads { get; private set; }

        public FakeMemory Map(ulong address, int size)
        {
            foreach (var r in ranges)
            {
                if (address < r.Base + (ulong)r.Data.Length && r.Base < address + (ulong)size)
                {
                    throw new InvalidOperationException("overlapping fake ranges");
                }
            }

            ranges.Add((address, new byte[size]));
            return this;
        }

        public override bool IsReadable(ulong address, ulong length)
        {
            if (length == 0)
            {
                return true;
            }

            if (length - 1 > ulong.MaxValue - address)
            {
                return false;
            }

            foreach (var r in ranges)
            {
                if (address >= r.Base && address - r.Base + length <= (ulong)r.Data.Length)
                {
                    return true;
                }
            }

            return false;
        }

        public override byte Read8(ulong address)
        {
            Reads++;
            var (data, index) = Locate(address);
            return data[index];
        }

        public override void Write8(ulong address, byte value)
        {
            var (data, index) = Locate(address);
            data[index] = value;
        }

        public void WriteBytes(ulong address, byte[] bytes)
        {
            WriteBytes(address, new ReadOnlySpan<byte>(bytes));
        }

        public void WriteString(ulong address, string text)
        {
            for (int i = 0; i < text.Length; i++)
            {
                Write8(address + (ulong)i, (byte)text[i]);
            }

            Write8(address + (ulong)text.Length, 0);
        }

        // Fast paths for whole-range accesses inside one mapped range (a 64 MiB machine is filled and
        // copied page by page by the domain builder); anything that touches an unmapped byte falls
        // back to the byte-wise base implementation, which throws at the first such byte.

        public override ushort Read16(ulong address)
        {
            if (!TryLocate(address, 2, out var data, out int i))
            {
                return base.Read16(address);
            }

            Reads++;
            return BitConverter.ToUInt16(data, i);
        }

        public override uint Read32(ulong address)
        {
            if (!TryLocate(address, 4, out var data, out int i))
            {
                return base.Read32(address);
            }

            Reads++;
            return BitConverter.ToUInt32(data, i);
        }

        public override ulong Read64(ulong address)
        {
            if (!TryLocate(address, 8, out var data, out int i))
            {
                return base.Read64(address);
            }

            Reads++;
            return BitConverter.ToUInt64(data, i);
        }

        public override void Write16(ulong address, ushort value)
        {
            if (!TryLocate(address, 2, out var data, out int i))
            {
                base.Write16(address, value);
                return;
            }

            BitConverter.TryWriteBytes(data.AsSpan(i, 2), value);
        }

        public override void Write32(ulong address, uint value)
        {
            if (!TryLocate(address, 4, out var data, out int i))
            {
                base.Write32(address, value);
                return;
            }

            BitConverter.TryWriteBytes(data.AsSpan(i, 4), value);
        }

        public override void Write64(ulong address, ulong value)
        {
            if (!TryLocate(address, 8, out var data, out int i))
            {
                base.Write64(address, value);
                return;
            }

            BitConverter.TryWriteBytes(data.AsSpan(i, 8), value);
        }

        public override void Fill(ulong address, ulong length, byte value)
        {
            if (!TryLocate(address, length, out var data, out int i))
            {
                base.Fill(address, length, value);
                return;
            }

            data.AsSpan(i, (int)length).Fill(value);
        }

        public override void Copy(ulong destination, ulong source, ulong length)
        {
            if (!TryLocate(destination, length, out var to, out int t) || !TryLocate(source, length, out var from, out int f))
            {
                base.Copy(destination, source, length);
                return;
            }

            Reads++;
            from.AsSpan(f, (int)length).CopyTo(to.AsSpan(t, (int)length));
        }

        public override void ReadBytes(ulong address, Span<byte> destination)
        {
            if (!TryLocate(address, (ulong)destination.Length, out var data, out int i))
            {
                base.ReadBytes(address, destination);
                return;
            }

            Reads++;
            data.AsSpan(i, destination.Length).CopyTo(destination);
        }

        public override void WriteBytes(ulong address, ReadOnlySpan<byte> source)
        {
            if (!TryLocate(address, (ulong)source.Length, out var data, out int i))
            {
                base.WriteBytes(address, source);
                return;
            }

            source.CopyTo(data.AsSpan(i, source.Length));
        }

        /// <summary>The range holding all of [address, address + length), if one does.</summary>
        private bool TryLocate(ulong address, ulong length, out byte[] data, out int index)
        {
            foreach (var r in ranges)
            {
                if (address >= r.Base && address - r.Base <= (ulong)r.Data.Length && length <= (ulong)r.Data.Length - (address - r.Base))
                {
                    data = r.Data;
                    index = (int)(address - r.Base);
                    return length > 0;
                }
            }

            data = null;
            index = 0;
            return false;
        }

        private (byte[] Data, int Index) Locate(ulong address)
        {
            foreach (var r in ranges)
            {
                if (address >= r.Base && address - r.Base < (ulong)r.Data.Length)
                {
                    return (r.Data, (int)(address - r.Base));
                }
            }

            throw new InvalidOperationException($"access outside mapped memory at 0x{address:x}");
        }
    }
}
