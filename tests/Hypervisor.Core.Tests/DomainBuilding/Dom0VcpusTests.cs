using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.DomainBuilding
{
    /// <summary>A domain built with several vCPUs, as dom0 on a machine with several CPUs: vCPU 0 starts the
    /// kernel; the others exist, each with its vcpu_info in shared_info, events masked, and are down until
    /// the kernel initialises them (VCPUOP_is_up 0, VCPUOP_up -EINVAL before VCPUOP_initialise).</summary>
    public class Dom0VcpusTests
    {
        [Fact]
        public void TheOtherVcpusExistAndAreDown()
        {
            var t = TestDomain.Create(o => o.Vcpus = 3);
            Vcpu[] vcpus = t.Domain.Vcpus;
            Assert.Equal(3, vcpus.Length);
            Assert.True(vcpus[0].IsUp);
            for (int i = 1; i < 3; i++)
            {
                Assert.False(vcpus[i].IsInitialised);
                Assert.Equal(t.Domain.SharedInfoAddress + (ulong)i * VcpuInfo.Size, vcpus[i].VcpuInfoAddress);
                Assert.Equal(1, t.Memory.Read8(vcpus[i].VcpuInfoAddress + VcpuInfoAccess.UpcallMaskOffset));
                Assert.Equal(0, t.Hypercall(HypercallNumber.VcpuOp, VcpuOp.IsUp, (ulong)i, 0));
                Assert.Equal(-XenErrno.EINVAL, t.Hypercall(HypercallNumber.VcpuOp, VcpuOp.Up, (ulong)i, 0));
            }
            Assert.Equal(-XenErrno.ENOENT, t.Hypercall(HypercallNumber.VcpuOp, VcpuOp.IsUp, 3, 0));
        }
    }
}
