using Hypervisor.Abi;
using Hypervisor.Core.DomainBuilding;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.DomainBuilding
{
    public class XenFeatureStringTests
    {
        private static (uint Supported, uint Required) Parse(string text)
        {
            uint supported = 0, required = 0;
            XenFeatureString.Parse(Support.Ascii.Bytes(text), ref supported, ref required);
            return (supported, required);
        }

        [Fact]
        public void NamesAndRequiredNames()
        {
            var (s, r) = Parse("writable_page_tables|!dom0|pae_pgdir_above_4gb");
            Assert.Equal((1u << XenFeature.WritablePageTables) | (1u << XenFeature.Dom0) | (1u << XenFeature.PaePgdirAbove4gb), s);
            Assert.Equal(1u << XenFeature.Dom0, r);
        }

        [Theory]
        [InlineData("writable_page_tables", XenFeature.WritablePageTables)]
        [InlineData("writable_descriptor_tables", XenFeature.WritableDescriptorTables)]
        [InlineData("auto_translated_physmap", XenFeature.AutoTranslatedPhysmap)]
        [InlineData("supervisor_mode_kernel", XenFeature.SupervisorModeKernel)]
        [InlineData("pae_pgdir_above_4gb", XenFeature.PaePgdirAbove4gb)]
        [InlineData("hvm_callback_vector", XenFeature.HvmCallbackVector)]
        [InlineData("dom0", XenFeature.Dom0)]
        public void EveryKnownName(string name, int bit)
        {
            Assert.Equal((1u << bit, 1u << bit), Parse("!" + name));
        }

        [Theory]
        [InlineData("")]
        [InlineData("|")]
        [InlineData("||dom")]
        [InlineData("Dom0")]               // names are case-sensitive
        [InlineData("dom0 ")]
        public void UnknownOrEmptyNames_AreIgnored(string text)
        {
            Assert.Equal((0u, 0u), Parse(text));
        }

        [Theory]
        [InlineData("!")]
        [InlineData("!future_feature")]
        [InlineData("dom0|!x")]
        public void UnknownRequiredNames_AskForTheUnsupportedBit(string text)
        {
            Assert.NotEqual(0u, Parse(text).Required & (1u << XenFeatureString.UnknownRequiredBit));
        }

        [Fact]
        public void ParsingAddsToWhatIsThere()
        {
            uint supported = 1u << 20, required = 1u << 21;
            XenFeatureString.Parse(Support.Ascii.Bytes("dom0"), ref supported, ref required);
            Assert.Equal((1u << 20) | (1u << XenFeature.Dom0), supported);
            Assert.Equal(1u << 21, required);
        }
    }
}
