using Hypervisor.Core.Memory;

namespace Hypervisor.Arch.X86_64
{
    // The core's view of physical memory, through the PhysicalWindow with plain loads and stores.
    internal sealed unsafe class DirectMapMemory : PhysicalMemory
    {
        public override bool IsReadable(ulong address, ulong length) => PhysicalWindow.Covers(address, length);
        public override byte Read8(ulong address) => *PhysicalWindow.ToVirtual(address);
        public override ushort Read16(ulong address) => *(ushort*)PhysicalWindow.ToVirtual(address);
        public override uint Read32(ulong address) => *(uint*)PhysicalWindow.ToVirtual(address);
        public override ulong Read64(ulong address) => *(ulong*)PhysicalWindow.ToVirtual(address);
        public override void Write8(ulong address, byte value) => *PhysicalWindow.ToVirtual(address) = value;
        public override void Write16(ulong address, ushort value) => *(ushort*)PhysicalWindow.ToVirtual(address) = value;
        public override void Write32(ulong address, uint value) => *(uint*)PhysicalWindow.ToVirtual(address) = value;
        public override void Write64(ulong address, ulong value) => *(ulong*)PhysicalWindow.ToVirtual(address) = value;

        // Guests change these words on other CPUs at the same time: locked instructions.
        public override ulong SetBits64(ulong address, ulong bits) => Cpu.AtomicOr64((ulong*)PhysicalWindow.ToVirtual(address), bits);
        public override ulong ClearBits64(ulong address, ulong bits) => Cpu.AtomicAnd64((ulong*)PhysicalWindow.ToVirtual(address), ~bits);
        public override void ClearBits16(ulong address, ushort bits) => Cpu.AtomicAnd16((ushort*)PhysicalWindow.ToVirtual(address), (ushort)~bits);
        public override uint CompareExchange32(ulong address, uint expected, uint desired) =>
            (uint)Cpu.AtomicCompareExchange((int*)PhysicalWindow.ToVirtual(address), (int)expected, (int)desired);

        public override void Fill(ulong address, ulong length, byte value)
        {
            System.SpanHelpers.Fill(ref *PhysicalWindow.ToVirtual(address), (nuint)length, value);
        }

        public override void ReadBytes(ulong address, System.Span<byte> destination)
        {
            fixed (byte* d = destination)
                System.Buffer.Memmove(d, PhysicalWindow.ToVirtual(address), (nuint)destination.Length);
        }

        public override void WriteBytes(ulong address, System.ReadOnlySpan<byte> source)
        {
            fixed (byte* s = source)
                System.Buffer.Memmove(PhysicalWindow.ToVirtual(address), s, (nuint)source.Length);
        }

        public override void Copy(ulong destination, ulong source, ulong length)
        {
            System.Buffer.Memmove(PhysicalWindow.ToVirtual(destination), PhysicalWindow.ToVirtual(source), (nuint)length);
        }
    }
}
