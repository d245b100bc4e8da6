using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.Domains
{
    public class DomainLifecycleTests
    {
        [Fact]
        public void Crash_StopsTheDomain_WithTheCrashReason_AndSaysSo()
        {
            var t = TestDomain.Create(o => o.DomainId = 4);
            DomainLifecycle.Crash(t.Domain);
            Assert.Equal(DomainState.Crashed, t.Domain.State);
            Assert.Equal((int)ShutdownReason.Crash, t.Domain.ShutdownReason);
            Assert.False(t.Domain.IsAlive);
            Assert.Contains("(HV) Error: domain 4 crashed\n", t.ConsoleText);
        }

        [Fact]
        public void Crash_AfterShutdown_ChangesNothing()
        {
            var t = TestDomain.Create();
            DomainLifecycle.Shutdown(t.Domain, ShutdownReason.Reboot);
            DomainLifecycle.Crash(t.Domain);
            Assert.Equal(DomainState.ShutDown, t.Domain.State);
            Assert.Equal((int)ShutdownReason.Reboot, t.Domain.ShutdownReason);
            Assert.DoesNotContain("crashed", t.ConsoleText);
        }

        [Fact]
        public void Crash_FlushesThePendingConsoleLineFirst()
        {
            var t = TestDomain.Create();
            t.WriteText(t.Scratch, "oops");
            t.Hypercall(HypercallNumber.ConsoleIo, ConsoleIoCommand.Write, 4, t.Scratch);
            DomainLifecycle.Crash(t.Domain);
            string text = t.ConsoleText;
            Assert.True(text.IndexOf("(d0) oops\n") < text.IndexOf("domain 0 crashed"));
        }

        [Fact]
        public void RunningDomainIsAlive()
        {
            var t = TestDomain.Create();
            t.Domain.State = DomainState.Running;
            Assert.True(t.Domain.IsAlive);
            DomainLifecycle.Shutdown(t.Domain, ShutdownReason.Poweroff);
            Assert.False(t.Domain.IsAlive);
        }
    }
}
