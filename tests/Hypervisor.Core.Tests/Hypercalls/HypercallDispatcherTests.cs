using System.Collections.Generic;
using Hypervisor.Abi;
using Hypervisor.Core.Hypercalls;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.Hypercalls
{
    public unsafe class HypercallDispatcherTests
    {
        [Theory]
        [InlineData(11UL)]                     // a hole in Xen's numbering
        [InlineData(63UL)]                     // last row of the table, unused
        [InlineData(64UL)]                     // just past the table
        [InlineData(1UL << 32)]                // would be 0 if truncated to 32 bits
        [InlineData((1UL << 32) + 17)]         // would be xen_version if truncated
        [InlineData(ulong.MaxValue)]
        public void UnknownNumbers_GiveEnosys(ulong number)
        {
            var t = TestDomain.Create();
            Assert.Equal(-XenErrno.ENOSYS, t.Hypercall(number));
            Assert.Equal(-XenErrno.ENOSYS, t.SyscallHypercall(number));
            Assert.True(t.Domain.IsAlive);
        }

        [Fact]
        public void EveryRowSitsAtItsNumber_WithAUniqueNameAndAHandler()
        {
            var names = new HashSet<string>();
            int rows = 0;
            for (int i = 0; i < HypercallTable.Size; i++)
            {
                ref HypercallDefinition row = ref HypercallTable.Lookup(i);
                if (row.Access == HypercallAccess.None)
                {
                    Assert.True(row.Handler == null, $"row {i} has a handler but no access");
                    continue;
                }

                rows++;
                Assert.Equal(i, row.Number);
                Assert.False(string.IsNullOrEmpty(row.Name), $"row {i} has no name");
                Assert.True(names.Add(row.Name), $"name {row.Name} is used twice");
                Assert.True(row.Handler != null, $"row {i} ({row.Name}) has no handler");
            }

            Assert.True(rows >= 5);
        }

        [Theory]
        [InlineData(HypercallNumber.SetTrapTable, "set_trap_table")]
        [InlineData(HypercallNumber.XenVersion, "xen_version")]
        [InlineData(HypercallNumber.ConsoleIo, "console_io")]
        [InlineData(HypercallNumber.Iret, "iret")]
        [InlineData(HypercallNumber.SchedOp, "sched_op")]
        public void TheFirstHypercallsAreInTheTable(int number, string name)
        {
            ref HypercallDefinition row = ref HypercallTable.Lookup(number);
            Assert.Equal(name, row.Name);
            Assert.Equal(HypercallAccess.AnyDomain, row.Access);
        }

        [Fact]
        public void PrivilegedRows_RefuseAnUnprivilegedDomain()
        {
            var t = TestDomain.Create(o => { o.Privileged = false; o.DomainId = 1; });
            for (int i = 0; i < HypercallTable.Size; i++)
            {
                if (HypercallTable.Lookup(i).Access == HypercallAccess.PrivilegedDomain)
                {
                    Assert.Equal(-XenErrno.EPERM, t.Hypercall((ulong)i));
                }
            }

            // console_io is open to every domain in the table, and refuses others itself.
            Assert.Equal(-XenErrno.EPERM, t.Hypercall(HypercallNumber.ConsoleIo, ConsoleIoCommand.Write, 1, t.Scratch));
            Assert.Equal("", ConsoleOutput(t));
        }

        [Fact]
        public void Dispatch_TakesTheNumberFromRaxAndArgumentsFromRdiRsiRdxR10R8_ResultInRax()
        {
            var t = TestDomain.Create();
            Assert.Equal(0x40011L, t.SyscallHypercall(HypercallNumber.XenVersion, XenVersionCommand.Version));

            t.WriteText(t.Scratch, "via registers\n");
            Assert.Equal(0L, t.SyscallHypercall(HypercallNumber.ConsoleIo, ConsoleIoCommand.Write, 14, t.Scratch));
            Assert.Contains("(d0) via registers\n", t.ConsoleText);

            // An errno lands in RAX as a negative number.
            Assert.Equal(-XenErrno.EFAULT, t.SyscallHypercall(HypercallNumber.ConsoleIo, ConsoleIoCommand.Write, 14, TestDomain.UnmappedAddress));
            Assert.Equal(unchecked((ulong)-XenErrno.EFAULT), t.Vcpu.Registers.Rax);
        }

        [Fact]
        public void Dispatch_LeavesOtherRegistersAlone()
        {
            var t = TestDomain.Create();
            t.Vcpu.Registers.Rbx = 0x1111;
            t.Vcpu.Registers.R9 = 0x2222;
            t.Vcpu.Registers.Rcx = 0x3333;
            ulong rip = t.Vcpu.Registers.Rip;
            t.SyscallHypercall(HypercallNumber.XenVersion, XenVersionCommand.Version, 0, 7, 8, 9);
            Assert.Equal(0x1111UL, t.Vcpu.Registers.Rbx);
            Assert.Equal(0x2222UL, t.Vcpu.Registers.R9);
            Assert.Equal(0x3333UL, t.Vcpu.Registers.Rcx);
            Assert.Equal(rip, t.Vcpu.Registers.Rip);
            Assert.Equal(7UL, t.Vcpu.Registers.Rdx);
        }

        private static string ConsoleOutput(TestDomain t)
        {
            string text = t.ConsoleText;
            return text.Contains("(d") ? text : "";
        }
    }
}
