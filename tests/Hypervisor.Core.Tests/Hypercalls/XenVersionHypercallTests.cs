using System;
using System.Text;
using Hypervisor.Abi;
using Hypervisor.Core.Hypercalls.Handlers;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.Hypercalls
{
    public class XenVersionHypercallTests
    {
        private static long Call(TestDomain t, int command, ulong arg) =>
            t.Hypercall(HypercallNumber.XenVersion, (ulong)command, arg);

        /// <summary>Fills the scratch buffer with 0xFF, runs the sub-op, returns the buffer.</summary>
        private static byte[] CallWithBuffer(TestDomain t, int command, int size, out long rc)
        {
            var fill = new byte[size];
            Array.Fill(fill, (byte)0xFF);
            t.Write(t.Scratch, fill);
            rc = Call(t, command, t.Scratch);
            return t.Read(t.Scratch, size);
        }

        /// <summary>A NUL-terminated string filling the rest of its buffer with zeros.</summary>
        private static string AssertString(byte[] buffer)
        {
            int n = Array.IndexOf(buffer, (byte)0);
            Assert.True(n >= 0, "not NUL-terminated");
            Assert.All(buffer[n..], b => Assert.Equal(0, b));
            string text = Encoding.ASCII.GetString(buffer, 0, n);
            Assert.All(text, c => Assert.InRange(c, ' ', '~'));
            return text;
        }

        [Fact]
        public void Version_Is4Point17()
        {
            var t = TestDomain.Create();
            Assert.Equal(0x40011, Call(t, XenVersionCommand.Version, 0));
            Assert.Equal(XenVersionCommand.Encode(4, 17), Call(t, XenVersionCommand.Version, t.Scratch));
            // The command is a 32-bit int.
            Assert.Equal(0x40011, t.Hypercall(HypercallNumber.XenVersion, 1UL << 32, 0));
        }

        [Fact]
        public void Capabilities_Xen30X86_64()
        {
            var t = TestDomain.Create();
            byte[] buffer = CallWithBuffer(t, XenVersionCommand.Capabilities, XenCapabilitiesInfo.Length, out long rc);
            Assert.Equal(0, rc);
            Assert.Equal("xen-3.0-x86_64", AssertString(buffer));
        }

        [Fact]
        public void Extraversion_NamesThisHypervisor()
        {
            var t = TestDomain.Create();
            byte[] buffer = CallWithBuffer(t, XenVersionCommand.Extraversion, XenExtraversion.Length + 16, out long rc);
            Assert.Equal(0, rc);
            Assert.Equal("-csharp-" + HypervisorVersion.Text, AssertString(buffer[..XenExtraversion.Length]));
            Assert.All(buffer[XenExtraversion.Length..], b => Assert.Equal(0xFF, b));    // nothing past the struct
        }

        [Fact]
        public void Changeset_IsAString()
        {
            var t = TestDomain.Create();
            byte[] buffer = CallWithBuffer(t, XenVersionCommand.Changeset, XenChangesetInfo.Length, out long rc);
            Assert.Equal(0, rc);
            Assert.Contains(HypervisorVersion.Text, AssertString(buffer));
        }

        [Fact]
        public void CompileInfo_FourTerminatedStrings()
        {
            var t = TestDomain.Create();
            byte[] buffer = CallWithBuffer(t, XenVersionCommand.CompileInfo, 144, out long rc);
            Assert.Equal(0, rc);
            Assert.NotEmpty(AssertString(buffer[..64]));
            AssertString(buffer[64..80]);
            AssertString(buffer[80..112]);
            AssertString(buffer[112..144]);
        }

        [Fact]
        public void PlatformParameters_VirtStartIsTheHypervisorsRange()
        {
            var t = TestDomain.Create();
            byte[] buffer = CallWithBuffer(t, XenVersionCommand.PlatformParameters, 16, out long rc);
            Assert.Equal(0, rc);
            Assert.Equal(0xFFFF_8000_0000_0000UL, BitConverter.ToUInt64(buffer, 0));
            Assert.All(buffer[8..], b => Assert.Equal(0xFF, b));
        }

        [Fact]
        public void GetFeatures_Submap0()
        {
            var t = TestDomain.Create();
            t.WriteStruct(t.Scratch, new XenFeatureInfo { SubmapIdx = 0, Submap = 0xDEADBEEF });
            Assert.Equal(0, Call(t, XenVersionCommand.GetFeatures, t.Scratch));
            XenFeatureInfo info = t.ReadStruct<XenFeatureInfo>(t.Scratch);
            Assert.Equal(0u, info.SubmapIdx);
            // What Xen 4.17 gives a PV dom0 (Linux 6.1 refuses to boot without preserve_ad and
            // gnttab_map_avail_bits).
            uint expected = (1u << XenFeature.MmuPtUpdatePreserveAd) | (1u << XenFeature.HighmemAssist)
                          | (1u << XenFeature.GnttabMapAvailBits) | (1u << XenFeature.Dom0);
            Assert.Equal(expected, info.Submap);
            Assert.Equal(0u, info.Submap & (1u << XenFeature.AutoTranslatedPhysmap));
        }

        [Fact]
        public void GetFeatures_PaePgdirAbove4gb_FollowsTheVmAssist()
        {
            var t = TestDomain.Create();
            t.Domain.VmAssist |= 1UL << VmAssistType.PaeExtendedCr3;
            t.WriteStruct(t.Scratch, new XenFeatureInfo());
            Assert.Equal(0, Call(t, XenVersionCommand.GetFeatures, t.Scratch));
            Assert.NotEqual(0u, t.ReadStruct<XenFeatureInfo>(t.Scratch).Submap & (1u << XenFeature.PaePgdirAbove4gb));
        }

        [Fact]
        public void GetFeatures_NoDom0BitForOtherDomains()
        {
            var t = TestDomain.Create(o => { o.Privileged = false; o.DomainId = 2; });
            t.WriteStruct(t.Scratch, new XenFeatureInfo());
            Assert.Equal(0, Call(t, XenVersionCommand.GetFeatures, t.Scratch));
            Assert.Equal((1u << XenFeature.MmuPtUpdatePreserveAd) | (1u << XenFeature.HighmemAssist) | (1u << XenFeature.GnttabMapAvailBits),
                         t.ReadStruct<XenFeatureInfo>(t.Scratch).Submap);
        }

        [Theory]
        [InlineData(1u)]
        [InlineData(0xFFFF_FFFFu)]
        public void GetFeatures_BadIndex_Einval(uint index)
        {
            var t = TestDomain.Create();
            t.WriteStruct(t.Scratch, new XenFeatureInfo { SubmapIdx = index, Submap = 0x12345678 });
            Assert.Equal(-XenErrno.EINVAL, Call(t, XenVersionCommand.GetFeatures, t.Scratch));
            Assert.Equal(0x12345678u, t.ReadStruct<XenFeatureInfo>(t.Scratch).Submap);
        }

        [Fact]
        public void GetFeatures_ReadOnlyBuffer_Efault()
        {
            var t = TestDomain.Create();
            // The bootstrap page tables are mapped read-only: readable, not writable.
            Assert.Equal(-XenErrno.EFAULT, Call(t, XenVersionCommand.GetFeatures, t.Layout.PageTablesStart + 8));
        }

        [Fact]
        public void Pagesize_Is4096()
        {
            var t = TestDomain.Create();
            Assert.Equal(4096, Call(t, XenVersionCommand.Pagesize, 0));
        }

        [Fact]
        public void Pagesize_WithAnArgument_Einval()
        {
            var t = TestDomain.Create();
            Assert.Equal(-XenErrno.EINVAL, Call(t, XenVersionCommand.Pagesize, t.Scratch));
        }

        [Fact]
        public void GuestHandle_Dom0sIsZero()
        {
            var t = TestDomain.Create();
            byte[] buffer = CallWithBuffer(t, XenVersionCommand.GuestHandle, 20, out long rc);
            Assert.Equal(0, rc);
            Assert.All(buffer[..16], b => Assert.Equal(0, b));
            Assert.All(buffer[16..], b => Assert.Equal(0xFF, b));
        }

        [Fact]
        public void Commandline_ATerminatedString_ForDom0Only()
        {
            var t = TestDomain.Create();
            byte[] buffer = CallWithBuffer(t, XenVersionCommand.Commandline, XenCommandline.Length, out long rc);
            Assert.Equal(0, rc);
            Assert.Equal("", AssertString(buffer));

            // The hypervisor's own command line, as the arch layer recorded it.
            t.Host.CommandLine = Encoding.ASCII.GetBytes("dom0_mem=512M loglvl=all");
            buffer = CallWithBuffer(t, XenVersionCommand.Commandline, XenCommandline.Length, out rc);
            Assert.Equal(0, rc);
            Assert.Equal("dom0_mem=512M loglvl=all", AssertString(buffer));

            var other = TestDomain.Create(o => { o.Privileged = false; o.DomainId = 1; });
            Assert.Equal(-XenErrno.EPERM, Call(other, XenVersionCommand.Commandline, other.Scratch));
        }

        [Fact]
        public void BuildId_NoneRecorded()
        {
            var t = TestDomain.Create();
            Assert.Equal(-XenErrno.ENODATA, Call(t, XenVersionCommand.BuildId, 0));
            t.WriteStruct(t.Scratch, new XenBuildId { Len = 256 });
            Assert.Equal(-XenErrno.ENODATA, Call(t, XenVersionCommand.BuildId, t.Scratch));
        }

        [Fact]
        public void BuildId_BufferIsReadFirst()
        {
            // Xen reads the request before it looks for a build id.
            var t = TestDomain.Create();
            Assert.Equal(-XenErrno.EFAULT, Call(t, XenVersionCommand.BuildId, TestDomain.UnmappedAddress));
            Assert.Equal(-XenErrno.EFAULT, Call(t, XenVersionCommand.BuildId, 0xFFFF_8000_0000_0000UL));
            t.WriteStruct(t.Scratch, new XenBuildId { Len = 0 });
            Assert.Equal(-XenErrno.EINVAL, Call(t, XenVersionCommand.BuildId, t.Scratch));
        }

        [Fact]
        public void BuildId_Unprivileged_Eperm()
        {
            var t = TestDomain.Create(o => { o.Privileged = false; o.DomainId = 2; });
            Assert.Equal(-XenErrno.EPERM, Call(t, XenVersionCommand.BuildId, 0));
            Assert.Equal(-XenErrno.EPERM, Call(t, XenVersionCommand.BuildId, TestDomain.UnmappedAddress));
        }

        [Theory]
        [InlineData(XenVersionCommand.Extraversion)]
        [InlineData(XenVersionCommand.CompileInfo)]
        [InlineData(XenVersionCommand.Capabilities)]
        [InlineData(XenVersionCommand.Changeset)]
        [InlineData(XenVersionCommand.PlatformParameters)]
        [InlineData(XenVersionCommand.GetFeatures)]
        [InlineData(XenVersionCommand.GuestHandle)]
        [InlineData(XenVersionCommand.Commandline)]
        public void BadPointer_Efault(int command)
        {
            var t = TestDomain.Create();
            Assert.Equal(-XenErrno.EFAULT, Call(t, command, TestDomain.UnmappedAddress));
            Assert.Equal(-XenErrno.EFAULT, Call(t, command, 0));
            Assert.Equal(-XenErrno.EFAULT, Call(t, command, 0xFFFF_8000_0000_0000UL));
            Assert.True(t.Domain.IsAlive);
        }

        [Fact]
        public void BufferRunningOffTheMapping_Efault()
        {
            var t = TestDomain.Create();
            Assert.Equal(-XenErrno.EFAULT, Call(t, XenVersionCommand.Capabilities, t.Layout.MappedEnd - 100));
        }

        [Theory]
        [InlineData(11)]
        [InlineData(0x7FFF)]
        [InlineData(-1)]
        public void UnknownSubOp_Enosys(int command)
        {
            var t = TestDomain.Create();
            Assert.Equal(-XenErrno.ENOSYS, t.Hypercall(HypercallNumber.XenVersion, (ulong)(uint)command, t.Scratch));
        }

        [Fact]
        public void FeatureBits_ArePublicForOtherCallers()
        {
            var t = TestDomain.Create();
            Assert.Equal((1u << XenFeature.MmuPtUpdatePreserveAd) | (1u << XenFeature.HighmemAssist) | (1u << XenFeature.GnttabMapAvailBits) | (1u << XenFeature.Dom0),
                         XenVersionHypercall.FeatureBits(t.Domain));
        }
    }
}
