using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.DomainBuilding
{
    public class TestDomainSmokeTests
    {
        [Fact]
        public void DefaultDomainBuilds()
        {
            var t = TestDomain.Create();
            Assert.Equal(PvKernelElfBuilder.Entry, t.Vcpu.Registers.Rip);
            t.Write64(t.Scratch, 0x1122334455667788);
            Assert.Equal(0x1122334455667788UL, t.Read64(t.Scratch));
        }
    }
}
