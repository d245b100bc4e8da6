using System;
using Hypervisor.Abi.Tests.Support;
using Xunit;

namespace Hypervisor.Abi.Tests
{
    /// <summary>Structures of version.h (and xen_domain_handle_t from xen.h, its guest_handle argument).</summary>
    public class VersionLayoutTests
    {
        public static TheoryData<string, Type, int> Sizes => new()
        {
            { "xen_extraversion_t", typeof(XenExtraversion), 16 },
            { "xen_compile_info", typeof(XenCompileInfo), 144 },
            { "xen_capabilities_info_t", typeof(XenCapabilitiesInfo), 1024 },
            { "xen_changeset_info_t", typeof(XenChangesetInfo), 64 },
            { "xen_platform_parameters", typeof(XenPlatformParameters), 8 },
            { "xen_feature_info", typeof(XenFeatureInfo), 8 },
            { "xen_domain_handle_t", typeof(XenDomainHandle), 16 },
            { "xen_commandline_t", typeof(XenCommandline), 1024 },
            { "xen_build_id", typeof(XenBuildId), 4 },
        };

        public static TheoryData<string, Type, string, int> Offsets => new()
        {
            { "xen_extraversion_t[]", typeof(XenExtraversion), nameof(XenExtraversion.Text), 0 },
            { "xen_compile_info.compiler", typeof(XenCompileInfo), nameof(XenCompileInfo.Compiler), 0 },
            { "xen_compile_info.compile_by", typeof(XenCompileInfo), nameof(XenCompileInfo.CompileBy), 64 },
            { "xen_compile_info.compile_domain", typeof(XenCompileInfo), nameof(XenCompileInfo.CompileDomain), 80 },
            { "xen_compile_info.compile_date", typeof(XenCompileInfo), nameof(XenCompileInfo.CompileDate), 112 },
            { "xen_capabilities_info_t[]", typeof(XenCapabilitiesInfo), nameof(XenCapabilitiesInfo.Text), 0 },
            { "xen_changeset_info_t[]", typeof(XenChangesetInfo), nameof(XenChangesetInfo.Text), 0 },
            { "xen_platform_parameters.virt_start", typeof(XenPlatformParameters), nameof(XenPlatformParameters.VirtStart), 0 },
            { "xen_feature_info.submap_idx", typeof(XenFeatureInfo), nameof(XenFeatureInfo.SubmapIdx), 0 },
            { "xen_feature_info.submap", typeof(XenFeatureInfo), nameof(XenFeatureInfo.Submap), 4 },
            { "xen_domain_handle_t[]", typeof(XenDomainHandle), nameof(XenDomainHandle.Bytes), 0 },
            { "xen_commandline_t[]", typeof(XenCommandline), nameof(XenCommandline.Text), 0 },
            { "xen_build_id.len", typeof(XenBuildId), nameof(XenBuildId.Len), 0 },
        };

        [Theory]
        [MemberData(nameof(Sizes))]
        public void Size_matches_xen(string xenStruct, Type type, int xenSize)
        {
            _ = xenStruct;
            Layout.AssertSize(type, xenSize);
        }

        [Theory]
        [MemberData(nameof(Offsets))]
        public void Offset_matches_xen(string xenField, Type type, string field, int xenOffset)
        {
            _ = xenField;
            Layout.AssertOffset(type, field, xenOffset);
        }
    }
}
