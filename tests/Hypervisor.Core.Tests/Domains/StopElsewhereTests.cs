using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Tests.Hypercalls.Control;
using Moq;
using Xunit;

namespace Hypervisor.Core.Tests.Domains
{
    /// <summary>
    /// What must not go on running on another CPU (<see cref="HostPlatform.StopDomainElsewhere"/>): a paused
    /// domain's vCPUs have stopped when pausedomain returns; a vCPU's registers are not in use elsewhere
    /// while setvcpucontext replaces them; a destroyed domain's vCPUs have stopped, and no CPU holds its
    /// page tables, before anything it held is let go.
    /// </summary>
    public class StopElsewhereTests
    {
        [Fact]
        public void PauseWaitsForTheDomainsVcpusToStop()
        {
            var k = new ControlKit();
            Domain d = k.CreateOk(vcpus: 2);
            Assert.Equal(0, k.Unpause(d.Id));
            k.T.Platform.Invocations.Clear();
            int pausesSeen = -1;
            k.T.Platform.Setup(p => p.StopDomainElsewhere(d, false)).Callback(() => pausesSeen = d.ControllerPauses);

            Assert.Equal(0, k.Pause(d.Id));

            k.T.Platform.Verify(p => p.StopDomainElsewhere(d, false), Times.Once());
            Assert.Equal(1, pausesSeen);   // already paused (unable to run) when the others are made to stop
        }

        [Fact]
        public void SetVcpuContextPausesTheDomainAroundTheChange()
        {
            var k = new ControlKit();
            Domain d = k.CreateOk();
            ulong[] frames = k.GiveMemory(d, 8);
            Assert.Equal(0, k.Unpause(d.Id));
            int pausesSeen = -1;
            k.T.Platform.Setup(p => p.StopDomainElsewhere(d, false)).Callback(() => pausesSeen = d.ControllerPauses);

            Assert.Equal(0, k.SetVcpuContext(d.Id, 0, ControlKit.Context(frames[0])));

            k.T.Platform.Verify(p => p.StopDomainElsewhere(d, false), Times.Once());
            Assert.Equal(1, pausesSeen);
            Assert.Equal(0, d.ControllerPauses);     // as the toolstack left it
        }

        [Fact]
        public void DestroyStopsTheDomainEverywhereBeforeItLetsGoOfAnything()
        {
            var k = new ControlKit();
            Domain d = k.CreateOk();
            ulong[] frames = k.GiveMemory(d, 8);
            Assert.Equal(0, k.SetVcpuContext(d.Id, 0, ControlKit.Context(frames[0])));
            Assert.Equal(0, k.Unpause(d.Id));
            ulong baseSeen = 0;
            DomainState stateSeen = DomainState.Created;
            k.T.Platform.Setup(p => p.StopDomainElsewhere(d, true)).Callback(() =>
            {
                baseSeen = d.Vcpus[0].KernelTableFrame;
                stateSeen = d.State;
            });

            Assert.Equal(0, k.Destroy(d.Id));

            k.T.Platform.Verify(p => p.StopDomainElsewhere(d, true), Times.Once());
            Assert.Equal(DomainState.Dying, stateSeen);   // no CPU picks its vCPUs again
            Assert.Equal(frames[0], baseSeen);            // its page tables still held then
            Assert.Equal(0UL, d.Vcpus[0].KernelTableFrame);
        }
    }
}
