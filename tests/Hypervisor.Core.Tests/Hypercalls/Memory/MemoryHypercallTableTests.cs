using Hypervisor.Abi;
using Hypervisor.Core.Hypercalls;
using Xunit;

namespace Hypervisor.Core.Tests.Hypercalls.Memory
{
    public class MemoryHypercallTableTests
    {
        [Theory]
        [InlineData(HypercallNumber.MmuUpdate, "mmu_update")]
        [InlineData(HypercallNumber.SetGdt, "set_gdt")]
        [InlineData(HypercallNumber.UpdateDescriptor, "update_descriptor")]
        [InlineData(HypercallNumber.MemoryOp, "memory_op")]
        [InlineData(HypercallNumber.UpdateVaMapping, "update_va_mapping")]
        [InlineData(HypercallNumber.UpdateVaMappingOtherdomain, "update_va_mapping_otherdomain")]
        [InlineData(HypercallNumber.MmuextOp, "mmuext_op")]
        public unsafe void EveryMemoryHypercallHasARowOpenToAnyDomain(int number, string name)
        {
            // Who may act on another domain's memory is decided per request (Xen's XSM checks), so that
            // DOMID_SELF works for everyone.
            ref HypercallDefinition row = ref HypercallTable.Lookup(number);
            Assert.Equal(number, row.Number);
            Assert.Equal(name, row.Name);
            Assert.Equal(HypercallAccess.AnyDomain, row.Access);
            Assert.True(row.Handler != null);
        }

        [Fact]
        public void TheGuestsNextHypercallReleasesAReplacedKernelBase()
        {
            var k = new MmuKit();
            ulong oldL4 = k.Vcpu.KernelTableFrame;
            ulong newL4 = k.FreeFrame(0);
            k.CopyKernelL4To(newL4);
            uint typesBefore = k.Frames.TypeCountOf(oldL4);
            Assert.Equal(0, k.Mmuext((MmuextCommand.NewBaseptr, newL4, 0)));

            // A multicall batch still runs on the tables it entered with: nothing is released inside it.
            Assert.Equal(0x0004_0011, k.Call(HypercallNumber.XenVersion));
            Assert.Equal(oldL4, k.Vcpu.RetiredKernelTableFrame);

            Assert.Equal(0x0004_0011, k.T.SyscallHypercall(HypercallNumber.XenVersion));
            Assert.Equal(0UL, k.Vcpu.RetiredKernelTableFrame);
            Assert.Equal(typesBefore - 1, k.Frames.TypeCountOf(oldL4));
        }

        [Fact]
        public void ARetiredBaseCannotBeClearedWhileTheCpuMayRunOnIt()
        {
            var k = new MmuKit();
            ulong oldL4 = k.Vcpu.KernelTableFrame;
            ulong newL4 = k.FreeFrame(0);
            k.CopyKernelL4To(newL4);
            ulong hypervisorSlot = k.Entry(oldL4, 262);
            Assert.Equal(0, k.Mmuext((MmuextCommand.UnpinTable, oldL4, 0)));   // only the base pointer holds it now
            Assert.Equal(-XenErrno.EINVAL, k.Mmuext((MmuextCommand.NewBaseptr, newL4, 0), (MmuextCommand.ClearPage, oldL4, 0)));
            Assert.Equal(1u, k.Done);
            Assert.Equal(hypervisorSlot, k.Entry(oldL4, 262));
        }
    }
}
