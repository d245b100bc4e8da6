using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Tests.Support;
using Moq;
using Xunit;

namespace Hypervisor.Core.Tests.Domains
{
    /// <summary>Every domain by id: what a domain id in a hypercall argument is looked up in.</summary>
    public class DomainListTests
    {
        private static Host NewHost() =>
            new Host(new FakeMemory().Map(0, 0x1000), null, CapturingSink.NewLog().Log, new Mock<HostPlatform>().Object);

        [Fact]
        public void Empty()
        {
            var list = new DomainList();
            Assert.Equal(0, list.Count);
            Assert.Null(list.Find(0));
            Assert.Null(list.Find(1));
            Assert.Equal(256, DomainList.Capacity);
        }

        [Fact]
        public void Add_ThenFindById()
        {
            Host host = NewHost();
            var list = new DomainList();
            var d0 = new Domain(host, 0, true, 1);
            var d5 = new Domain(host, 5, false, 1);
            Assert.True(list.Add(d0));
            Assert.True(list.Add(d5));
            Assert.Same(d0, list.Find(0));
            Assert.Same(d5, list.Find(5));
            Assert.Null(list.Find(1));
            Assert.Null(list.Find(6));
            Assert.Equal(6, list.Count);                           // slots [0, 6) may hold domains
            Assert.Same(d5, list.At(5));
            Assert.Null(list.At(3));
        }

        [Fact]
        public void Add_DuplicateIdRefused_TheFirstStays()
        {
            Host host = NewHost();
            var list = new DomainList();
            var first = new Domain(host, 3, false, 1);
            var second = new Domain(host, 3, true, 1);
            Assert.True(list.Add(first));
            Assert.False(list.Add(second));
            Assert.False(list.Add(first));
            Assert.Same(first, list.Find(3));
        }

        [Theory]
        [InlineData((ushort)256)]
        [InlineData(DomainId.Self)]
        [InlineData(DomainId.Invalid)]
        [InlineData((ushort)0xFFFF)]
        public void Add_IdOutOfRangeRefused(ushort id)
        {
            var list = new DomainList();
            Assert.False(list.Add(new Domain(NewHost(), id, false, 1)));
            Assert.Equal(0, list.Count);
            Assert.Null(list.Find(id));
        }

        [Fact]
        public void Add_LastId()
        {
            var list = new DomainList();
            var d = new Domain(NewHost(), 255, false, 1);
            Assert.True(list.Add(d));
            Assert.Same(d, list.Find(255));
            Assert.Equal(256, list.Count);
        }

        [Theory]
        [InlineData(256u)]
        [InlineData(0x7FF0u)]
        [InlineData(0xFFFF_FFFFu)]
        public void Find_BeyondCapacity_Null(uint id)
        {
            var list = new DomainList();
            Assert.True(list.Add(new Domain(NewHost(), 0, false, 1)));
            Assert.Null(list.Find(id));
        }

        [Fact]
        public void Resolve_DomidSelfIsTheCaller_AnIdIsThatDomain()
        {
            Host host = NewHost();
            var list = new DomainList();
            var d0 = new Domain(host, 0, true, 1);
            var d1 = new Domain(host, 1, false, 1);
            Assert.True(list.Add(d0));
            Assert.True(list.Add(d1));
            Assert.Same(d1, list.Resolve(d1, DomainId.Self));
            Assert.Same(d0, list.Resolve(d0, DomainId.Self));
            Assert.Same(d0, list.Resolve(d1, 0));
            Assert.Same(d1, list.Resolve(d1, 1));
            Assert.Null(list.Resolve(d1, 2));
            Assert.Null(list.Resolve(d1, DomainId.Io));
            Assert.Null(list.Resolve(d1, DomainId.Invalid));
        }

        [Fact]
        public void Resolve_DomidSelf_EvenForACallerNotInTheList()
        {
            var list = new DomainList();
            var lonely = new Domain(NewHost(), 9, false, 1);
            Assert.Same(lonely, list.Resolve(lonely, DomainId.Self));
            Assert.Null(list.Resolve(lonely, 9));
        }

        [Fact]
        public void Remove_ThenTheIdIsFreeAgain()
        {
            Host host = NewHost();
            var list = new DomainList();
            var d = new Domain(host, 4, false, 1);
            Assert.True(list.Add(d));
            list.Remove(d);
            Assert.Null(list.Find(4));
            Assert.Null(list.Resolve(d, 4));
            var again = new Domain(host, 4, false, 1);
            Assert.True(list.Add(again));
            Assert.Same(again, list.Find(4));
        }

        [Fact]
        public void Remove_OnlyTheDomainItself_NotAnotherWithTheSameId()
        {
            Host host = NewHost();
            var list = new DomainList();
            var listed = new Domain(host, 4, false, 1);
            var impostor = new Domain(host, 4, false, 1);
            Assert.True(list.Add(listed));
            list.Remove(impostor);
            Assert.Same(listed, list.Find(4));
            list.Remove(new Domain(host, 300, false, 1));          // out of range: ignored
            Assert.Same(listed, list.Find(4));
        }

        [Fact]
        public void TheBuilderRegistersTheDomain_AndRefusesATakenId()
        {
            var t = TestDomain.Create(EventGuest.TwoDomainOptions());
            Assert.Same(t.Domain, t.Host.Domains.Find(0));
            Assert.Same(t.Domain, t.Host.Domains.Resolve(t.Domain, DomainId.Self));

            var again = Core.DomainBuilding.PvDomainBuilder.Build(t.Host, 0, false, t.KernelAddress, (ulong)t.KernelBytes.Length,
                                                            0, 0, new byte[0], 1024);
            Assert.False(again.Succeeded);
            Assert.Equal(Core.DomainBuilding.BuildProblem.DomainIdInUse, again.Problem);
            Assert.Same(t.Domain, t.Host.Domains.Find(0));
        }
    }
}
