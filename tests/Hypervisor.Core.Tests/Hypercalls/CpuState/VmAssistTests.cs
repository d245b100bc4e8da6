using Hypervisor.Abi;
using Xunit;

namespace Hypervisor.Core.Tests.Hypercalls.CpuState
{
    /// <summary>vm_assist: the assists Xen 4.17 offers a 64-bit PV domain.</summary>
    public class VmAssistTests
    {
        [Theory]
        [InlineData(VmAssistType.FourGbSegments)]
        [InlineData(VmAssistType.FourGbSegmentsNotify)]
        [InlineData(VmAssistType.WritablePagetables)]
        [InlineData(VmAssistType.PaeExtendedCr3)]
        [InlineData(VmAssistType.ArchitecturalIopl)]
        [InlineData(VmAssistType.RunstateUpdateFlag)]
        [InlineData(VmAssistType.M2pStrict)]
        public void EnableAndDisableEachValidType(int type)
        {
            var g = new CpuStateGuest();
            ulong others = g.Domain.VmAssist & ~(1UL << type);

            Assert.Equal(0, g.Call(HypercallNumber.VmAssist, VmAssistCommand.Enable, (ulong)type));
            Assert.Equal(others | (1UL << type), g.Domain.VmAssist);
            Assert.Equal(0, g.Call(HypercallNumber.VmAssist, VmAssistCommand.Enable, (ulong)type));
            Assert.Equal(others | (1UL << type), g.Domain.VmAssist);

            Assert.Equal(0, g.Call(HypercallNumber.VmAssist, VmAssistCommand.Disable, (ulong)type));
            Assert.Equal(others, g.Domain.VmAssist);
        }

        [Theory]
        [InlineData(6UL)]
        [InlineData(31UL)]
        [InlineData(33UL)]
        [InlineData(63UL)]
        [InlineData(64UL)]
        [InlineData(0xFFFF_FFFFUL)]
        public void OtherTypesAreEinval(ulong type)
        {
            var g = new CpuStateGuest();
            ulong before = g.Domain.VmAssist;
            Assert.Equal(-XenErrno.EINVAL, g.Call(HypercallNumber.VmAssist, VmAssistCommand.Enable, type));
            Assert.Equal(-XenErrno.EINVAL, g.Call(HypercallNumber.VmAssist, VmAssistCommand.Disable, type));
            Assert.Equal(before, g.Domain.VmAssist);
        }

        [Fact]
        public void TheTypeIsJudgedBeforeTheCommand()
        {
            var g = new CpuStateGuest();
            Assert.Equal(-XenErrno.ENOSYS, g.Call(HypercallNumber.VmAssist, 2, VmAssistType.WritablePagetables));
            Assert.Equal(-XenErrno.EINVAL, g.Call(HypercallNumber.VmAssist, 2, 6));
        }

        [Fact]
        public void UpperHalvesOfTheArgumentsAreIgnored()
        {
            var g = new CpuStateGuest();
            Assert.Equal(0, g.Call(HypercallNumber.VmAssist, 1UL << 32, (1UL << 32) | VmAssistType.M2pStrict));
            Assert.NotEqual(0UL, g.Domain.VmAssist & (1UL << VmAssistType.M2pStrict));
        }
    }
}
