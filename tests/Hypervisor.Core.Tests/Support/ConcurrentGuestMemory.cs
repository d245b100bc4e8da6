using System;
using System.Collections.Generic;
using Hypervisor.Core.Memory;

namespace Hypervisor.Core.Tests.Support
{
    /// <summary>
    /// Memory a guest changes from another CPU: wraps a <see cref="FakeMemory"/>, counts the plain writes
    /// and the indivisible operations by address, and can run a "guest" change just before an indivisible
    /// operation takes effect (the other CPU got there first).
    /// </summary>
    internal sealed class ConcurrentGuestMemory : PhysicalMemory
    {
        private readonly FakeMemory inner;

        public ConcurrentGuestMemory(FakeMemory inner) => this.inner = inner;

        public readonly List<ulong> PlainWrites = new List<ulong>();
        public readonly List<ulong> IndivisibleOperations = new List<ulong>();

        /// <summary>Run once, just before the next indivisible operation at its address.</summary>
        public Action<FakeMemory, ulong> GuestGetsThereFirst;

        public override bool IsReadable(ulong address, ulong length) => inner.IsReadable(address, length);
        public override byte Read8(ulong address) => inner.Read8(address);
        public override ushort Read16(ulong address) => inner.Read16(address);
        public override uint Read32(ulong address) => inner.Read32(address);
        public override ulong Read64(ulong address) => inner.Read64(address);
        public override void Write8(ulong address, byte value) { PlainWrites.Add(address); inner.Write8(address, value); }
        public override void Write16(ulong address, ushort value) { PlainWrites.Add(address); inner.Write16(address, value); }
        public override void Write32(ulong address, uint value) { PlainWrites.Add(address); inner.Write32(address, value); }
        public override void Write64(ulong address, ulong value) { PlainWrites.Add(address); inner.Write64(address, value); }
        public override void WriteBytes(ulong address, ReadOnlySpan<byte> source) { PlainWrites.Add(address); inner.WriteBytes(address, source); }

        public override ulong SetBits64(ulong address, ulong bits)
        {
            Before(address);
            return inner.SetBits64(address, bits);
        }

        public override ulong ClearBits64(ulong address, ulong bits)
        {
            Before(address);
            return inner.ClearBits64(address, bits);
        }

        public override void ClearBits16(ulong address, ushort bits)
        {
            Before(address);
            inner.ClearBits16(address, bits);
        }

        public override uint CompareExchange32(ulong address, uint expected, uint desired)
        {
            Before(address);
            return inner.CompareExchange32(address, expected, desired);
        }

        private void Before(ulong address)
        {
            IndivisibleOperations.Add(address);
            Action<FakeMemory, ulong> guest = GuestGetsThereFirst;
            GuestGetsThereFirst = null;
            if (guest != null)
                guest(inner, address);
        }
    }
}
