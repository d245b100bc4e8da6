using System.Runtime.InteropServices;

namespace Hypervisor.Abi
{
    /// <summary>Sub-ops of xen_version(cmd, arg) (version.h XENVER_*). All return 0 on success except
    /// <see cref="Version"/>, <see cref="Pagesize"/> and <see cref="BuildId"/>, which return a value.</summary>
    public static class XenVersionCommand
    {
        /// <summary><c>XENVER_version</c>: arg NULL; returns major &lt;&lt; 16 | minor.</summary>
        public const int Version = 0;

        /// <summary><c>XENVER_extraversion</c>: arg <see cref="XenExtraversion"/>.</summary>
        public const int Extraversion = 1;

        /// <summary><c>XENVER_compile_info</c>: arg <see cref="XenCompileInfo"/>.</summary>
        public const int CompileInfo = 2;

        /// <summary><c>XENVER_capabilities</c>: arg <see cref="XenCapabilitiesInfo"/>, a space-separated
        /// list such as "xen-3.0-x86_64 hvm-3.0-x86_32 ...".</summary>
        public const int Capabilities = 3;

        /// <summary><c>XENVER_changeset</c>: arg <see cref="XenChangesetInfo"/>.</summary>
        public const int Changeset = 4;

        /// <summary><c>XENVER_platform_parameters</c>: arg <see cref="XenPlatformParameters"/>.</summary>
        public const int PlatformParameters = 5;

        /// <summary><c>XENVER_get_features</c>: arg <see cref="XenFeatureInfo"/>.</summary>
        public const int GetFeatures = 6;

        /// <summary><c>XENVER_pagesize</c>: arg NULL; returns the page size.</summary>
        public const int Pagesize = 7;

        /// <summary><c>XENVER_guest_handle</c>: arg <see cref="XenDomainHandle"/>, the domain's UUID as the
        /// toolstack set it.</summary>
        public const int GuestHandle = 8;

        /// <summary><c>XENVER_commandline</c>: arg <see cref="XenCommandline"/>, Xen's own command line
        /// (privileged callers).</summary>
        public const int Commandline = 9;

        /// <summary><c>XENVER_build_id</c>: arg <see cref="XenBuildId"/>; returns the bytes written, or with
        /// a NULL arg the build id's size.</summary>
        public const int BuildId = 10;

        /// <summary>Encodes what <see cref="Version"/> returns.</summary>
        public static int Encode(int major, int minor) => (major << 16) | minor;
    }

    /// <summary>Mirrors version.h <c>xen_extraversion_t</c> (char[16]), e.g. ".0" or "-rc".</summary>
    [StructLayout(LayoutKind.Explicit, Size = Length)]
    public unsafe struct XenExtraversion
    {
        /// <summary><c>XEN_EXTRAVERSION_LEN</c>.</summary>
        public const int Length = 16;

        [FieldOffset(0)] public fixed byte Text[Length];
    }

    /// <summary>Mirrors version.h <c>struct xen_compile_info</c> (144 bytes): NUL-terminated strings.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 144)]
    public unsafe struct XenCompileInfo
    {
        /// <summary><c>compiler[64]</c>.</summary>
        [FieldOffset(0)] public fixed byte Compiler[64];

        /// <summary><c>compile_by[16]</c>.</summary>
        [FieldOffset(64)] public fixed byte CompileBy[16];

        /// <summary><c>compile_domain[32]</c>.</summary>
        [FieldOffset(80)] public fixed byte CompileDomain[32];

        /// <summary><c>compile_date[32]</c>.</summary>
        [FieldOffset(112)] public fixed byte CompileDate[32];
    }

    /// <summary>Mirrors version.h <c>xen_capabilities_info_t</c> (char[1024]).</summary>
    [StructLayout(LayoutKind.Explicit, Size = Length)]
    public unsafe struct XenCapabilitiesInfo
    {
        /// <summary><c>XEN_CAPABILITIES_INFO_LEN</c>.</summary>
        public const int Length = 1024;

        [FieldOffset(0)] public fixed byte Text[Length];
    }

    /// <summary>Mirrors version.h <c>xen_changeset_info_t</c> (char[64]): the source revision.</summary>
    [StructLayout(LayoutKind.Explicit, Size = Length)]
    public unsafe struct XenChangesetInfo
    {
        /// <summary><c>XEN_CHANGESET_INFO_LEN</c>.</summary>
        public const int Length = 64;

        [FieldOffset(0)] public fixed byte Text[Length];
    }

    /// <summary>Mirrors version.h <c>struct xen_platform_parameters</c> (8 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    public struct XenPlatformParameters
    {
        /// <summary><c>virt_start</c>: start of the hypervisor's hole in the guest's address space
        /// (<see cref="AddressSpaceLayout.HypervisorVirtStart"/> for 64-bit PV).</summary>
        [FieldOffset(0)] public ulong VirtStart;
    }

    /// <summary>Mirrors version.h <c>struct xen_feature_info</c> (8 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    public struct XenFeatureInfo
    {
        /// <summary><c>submap_idx</c> (in): which group of 32 <see cref="XenFeature"/> bits.</summary>
        [FieldOffset(0)] public uint SubmapIdx;

        /// <summary><c>submap</c> (out): bit n set when feature 32 * SubmapIdx + n is present.</summary>
        [FieldOffset(4)] public uint Submap;
    }

    /// <summary>Mirrors xen.h <c>xen_domain_handle_t</c> (uint8_t[16]), a domain's UUID.</summary>
    [StructLayout(LayoutKind.Explicit, Size = Length)]
    public unsafe struct XenDomainHandle
    {
        public const int Length = 16;

        [FieldOffset(0)] public fixed byte Bytes[Length];
    }

    /// <summary>Mirrors version.h <c>xen_commandline_t</c> (char[1024]).</summary>
    [StructLayout(LayoutKind.Explicit, Size = Length)]
    public unsafe struct XenCommandline
    {
        public const int Length = 1024;

        [FieldOffset(0)] public fixed byte Text[Length];
    }

    /// <summary>Mirrors version.h <c>struct xen_build_id</c>: a length followed by a flexible byte array,
    /// so its C size is 4 and the bytes start at <see cref="BufOffset"/>.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 4)]
    public struct XenBuildId
    {
        /// <summary>Offset of <c>buf[]</c>, the build id bytes.</summary>
        public const int BufOffset = 4;

        /// <summary><c>len</c> (in): room in <c>buf</c>.</summary>
        [FieldOffset(0)] public uint Len;
    }
}
