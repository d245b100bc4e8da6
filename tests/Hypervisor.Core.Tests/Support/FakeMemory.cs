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
            for (int i = 0; i < bytes.Length; i++)
            {
                Write8(address + (ulong)i, bytes[i]);
            }
        }

        public void WriteString(ulong address, string text)
        {
            for (int i = 0; i < text.Length; i++)
            {
                Write8(address + (ulong)i, (byte)text[i]);
            }

            Write8(address + (ulong)text.Length, 0);
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
