using Hypervisor.Abi;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.Hypercalls.CpuState
{
    /// <summary>physdev_op: the vCPU's I/O privilege level and I/O bitmap.</summary>
    public class PhysdevOpTests
    {
        private static long SetIopl(CpuStateGuest g, uint iopl)
        {
            g.T.WriteStruct(g.Args, new PhysdevSetIopl { Iopl = iopl });
            return g.Call(HypercallNumber.PhysdevOp, PhysdevOp.SetIopl, g.Args);
        }

        private static long SetIobitmap(CpuStateGuest g, ulong bitmap, uint ports)
        {
            g.T.WriteStruct(g.Args, new PhysdevSetIobitmap { Bitmap = bitmap, NrPorts = ports });
            return g.Call(HypercallNumber.PhysdevOp, PhysdevOp.SetIobitmap, g.Args);
        }

        [Theory]
        [InlineData(0u)]
        [InlineData(1u)]
        [InlineData(2u)]
        [InlineData(3u)]
        public void SetIoplStoresTheLevel(uint iopl)
        {
            var g = new CpuStateGuest();
            g.SetIopl(2);
            Assert.Equal(0, SetIopl(g, iopl));
            Assert.Equal(iopl, g.Vcpu.IoPrivilegeLevel);
        }

        [Theory]
        [InlineData(4u)]
        [InlineData(0x8000_0001u)]
        public void IoplAboveThreeIsEinval(uint iopl)
        {
            var g = new CpuStateGuest();
            g.SetIopl(1);
            Assert.Equal(-XenErrno.EINVAL, SetIopl(g, iopl));
            Assert.Equal(1u, g.Vcpu.IoPrivilegeLevel);
        }

        [Fact]
        public void AnUnprivilegedDomainMaySetItsIopl()
        {
            // As in Xen: only asking; its port accesses still reach no device (see PortIoEmulationTests).
            var g = new CpuStateGuest(privileged: false);
            Assert.Equal(0, SetIopl(g, 3));
            Assert.Equal(3u, g.Vcpu.IoPrivilegeLevel);
        }

        [Fact]
        public void SetIobitmapStoresAddressAndPortCount()
        {
            var g = new CpuStateGuest();
            Assert.Equal(0, SetIobitmap(g, g.Data, 0x400));
            Assert.Equal(g.Data, g.Vcpu.IoBitmapAddress);
            Assert.Equal(0x400u, g.Vcpu.IoBitmapPorts);

            Assert.Equal(0, SetIobitmap(g, g.Data, 65536));
            Assert.Equal(65536u, g.Vcpu.IoBitmapPorts);
        }

        [Fact]
        public void BitmapNeedNotBeMappedYet()
        {
            // Xen only checks the address range; the bitmap is read at each port access.
            var g = new CpuStateGuest();
            Assert.Equal(0, SetIobitmap(g, TestDomain.UnmappedAddress, 16));
        }

        [Theory]
        [InlineData(0xFFFF_8000_0000_0000UL)]   // the hypervisor's slots
        [InlineData(0xFFFF_87FF_FFFF_F000UL)]
        [InlineData(0x0000_8000_0000_0000UL)]   // non-canonical
        public void BitmapOutsideGuestSpaceIsEinval(ulong bitmap)
        {
            var g = new CpuStateGuest();
            Assert.Equal(-XenErrno.EINVAL, SetIobitmap(g, bitmap, 16));
            Assert.Equal(0u, g.Vcpu.IoBitmapPorts);
        }

        [Fact]
        public void MoreThan65536PortsIsEinval()
        {
            var g = new CpuStateGuest();
            Assert.Equal(-XenErrno.EINVAL, SetIobitmap(g, g.Data, 65537));
            Assert.Equal(0u, g.Vcpu.IoBitmapPorts);
        }

        [Theory]
        [InlineData(PhysdevOp.SetIopl)]
        [InlineData(PhysdevOp.SetIobitmap)]
        public void UnreadableArgumentIsEfault(int cmd)
        {
            var g = new CpuStateGuest();
            Assert.Equal(-XenErrno.EFAULT, g.Call(HypercallNumber.PhysdevOp, (ulong)cmd, TestDomain.UnmappedAddress));
        }

        [Theory]
        [InlineData(PhysdevOp.IrqStatusQuery)]
        [InlineData(PhysdevOp.Eoi)]
        [InlineData(PhysdevOp.MapPirq)]
        [InlineData(0)]
        [InlineData(99)]
        public void OtherCommandsAreEnosys(int cmd)
        {
            var g = new CpuStateGuest();
            Assert.Equal(-XenErrno.ENOSYS, g.Call(HypercallNumber.PhysdevOp, (ulong)cmd, g.Args));
        }
    }
}
