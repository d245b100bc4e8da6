using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// xen_version (version.h): the version number, the strings (extra version, compile information,
    /// capabilities, changeset, command line), platform parameters, feature bits, page size, the
    /// domain handle, the build id, and the errors for bad pointers and unknown sub-ops. Values that are
    /// Xen-specific (its version, its build) are checked for their format, not their contents.
    /// </summary>
    internal static unsafe class XenVersionTests
    {
        private const ulong Unmapped = 0x1000;

        public static void Run(TestSuite suite, StartInfo* start)
        {
            Version(suite);
            Extraversion(suite);
            CompileInfo(suite);
            Capabilities(suite);
            Changeset(suite);
            PlatformParameters(suite);
            Features(suite, start);
            Pagesize(suite);
            GuestHandle(suite);
            Commandline(suite, start);
            BuildId(suite);
            Errors(suite);
        }

        private static void Version(TestSuite suite)
        {
            long rc = Hypercalls.XenVersion(XenVersionCommand.Version, null);
            ulong major = (ulong)rc >> 16, minor = (ulong)rc & 0xFFFF;
            bool ok = rc > 0 && (rc >> 32) == 0 && major >= 3 && major < 100 && minor < 100;
            suite.Result("version", ok).Text(" returned ").Hex((ulong)rc).Text(" = ").Dec(major).Char('.').Dec(minor).End();
        }

        /// <summary>A string result: NUL-terminated inside its buffer and printable.</summary>
        private static void CheckString(TestSuite suite, string test, int command, byte* buffer, int size, bool mayBeEmpty)
        {
            for (int i = 0; i < size; i++)
                buffer[i] = 0xFF;
            long rc = Hypercalls.XenVersion(command, buffer);
            int length = Ascii.Length(buffer, size);
            bool terminated = length < size;
            bool ok = rc == 0 && terminated && Ascii.IsPrintable(buffer, length) && (mayBeEmpty || length > 0);
            ConsoleLine line = suite.Result(test, ok).Text(" returned ").Result(rc);
            if (terminated)
                line.Text(", ").Quoted(buffer, length);
            else
                line.Text(", not NUL-terminated within ").Dec((ulong)size).Text(" bytes");
            line.End();
        }

        private static void Extraversion(TestSuite suite)
        {
            XenExtraversion v;
            CheckString(suite, "extraversion", XenVersionCommand.Extraversion, v.Text, XenExtraversion.Length, true);
        }

        private static void CompileInfo(TestSuite suite)
        {
            XenCompileInfo info;
            byte* p = (byte*)&info;
            for (int i = 0; i < sizeof(XenCompileInfo); i++)
                p[i] = 0xFF;
            long rc = Hypercalls.XenVersion(XenVersionCommand.CompileInfo, &info);
            bool ok = rc == 0
                && Ascii.Length(info.Compiler, 64) < 64 && Ascii.Length(info.CompileBy, 16) < 16
                && Ascii.Length(info.CompileDomain, 32) < 32 && Ascii.Length(info.CompileDate, 32) < 32
                && Ascii.Length(info.Compiler, 64) > 0;
            suite.Result("compile_info", ok).Text(" returned ").Result(rc).Text(", compiler ")
                .Quoted(info.Compiler, Ascii.Length(info.Compiler, 64)).End();
        }

        private static void Capabilities(TestSuite suite)
        {
            XenCapabilitiesInfo caps;
            CheckString(suite, "capabilities", XenVersionCommand.Capabilities, caps.Text, XenCapabilitiesInfo.Length, false);
            int length = Ascii.Length(caps.Text, XenCapabilitiesInfo.Length);
            bool ok = Ascii.ContainsWord(caps.Text, length, "xen-3.0-x86_64");
            suite.Check("capabilities_x86_64_pv", ok, "\"xen-3.0-x86_64\" is not one of the capabilities");
        }

        private static void Changeset(TestSuite suite)
        {
            XenChangesetInfo changeset;
            CheckString(suite, "changeset", XenVersionCommand.Changeset, changeset.Text, XenChangesetInfo.Length, true);
        }

        private static void PlatformParameters(TestSuite suite)
        {
            XenPlatformParameters parameters;
            parameters.VirtStart = 0;
            long rc = Hypercalls.XenVersion(XenVersionCommand.PlatformParameters, &parameters);
            suite.Returns("platform_parameters", 0, rc);
            suite.EqualHex("platform_parameters_virt_start", AddressSpaceLayout.HypervisorVirtStart, parameters.VirtStart);
        }

        private static void Features(TestSuite suite, StartInfo* start)
        {
            XenFeatureInfo info;
            info.SubmapIdx = 0;
            info.Submap = 0xDEADBEEF;
            long rc = Hypercalls.XenVersion(XenVersionCommand.GetFeatures, &info);
            suite.Result("get_features", rc == 0).Text(" returned ").Result(rc).Text(", submap 0 = ").Hex(info.Submap, 8).End();
            if (rc != 0)
                return;
            bool dom0 = (start->Flags & StartInfoFlags.InitDomain) != 0;
            bool hasDom0 = (info.Submap & (1u << XenFeature.Dom0)) != 0;
            suite.Check("get_features_dom0", hasDom0 == dom0,
                dom0 ? "XENFEAT_dom0 is clear for the initial domain" : "XENFEAT_dom0 is set for another domain");
            // A PV domain's page tables hold machine frames and are checked by the hypervisor: it has
            // neither auto-translation nor freely writable page tables.
            const uint translated = (1u << XenFeature.AutoTranslatedPhysmap) | (1u << XenFeature.WritablePageTables);
            suite.Check("get_features_pv", (info.Submap & translated) == 0,
                "XENFEAT_auto_translated_physmap or XENFEAT_writable_page_tables is set for a PV domain");

            info.SubmapIdx = 1;
            info.Submap = 0;
            rc = Hypercalls.XenVersion(XenVersionCommand.GetFeatures, &info);
            suite.Errno("get_features_bad_index", XenErrno.EINVAL, rc);
        }

        private static void Pagesize(TestSuite suite)
        {
            suite.Returns("pagesize", 4096, Hypercalls.XenVersion(XenVersionCommand.Pagesize, null));
            ulong scratch = 0;
            suite.Errno("pagesize_with_argument", XenErrno.EINVAL, Hypercalls.XenVersion(XenVersionCommand.Pagesize, &scratch));
        }

        private static void GuestHandle(TestSuite suite)
        {
            XenDomainHandle handle;
            for (int i = 0; i < XenDomainHandle.Length; i++)
                handle.Bytes[i] = 0xFF;
            long rc = Hypercalls.XenVersion(XenVersionCommand.GuestHandle, &handle);
            suite.Returns("guest_handle", 0, rc);
        }

        private static void Commandline(TestSuite suite, StartInfo* start)
        {
            XenCommandline line;
            for (int i = 0; i < XenCommandline.Length; i++)
                line.Text[i] = 0xFF;
            long rc = Hypercalls.XenVersion(XenVersionCommand.Commandline, &line);
            int length = Ascii.Length(line.Text, XenCommandline.Length);
            bool ok = rc == 0 && length < XenCommandline.Length && Ascii.IndexOf(line.Text, length, "dom0_mem=") >= 0;
            ConsoleLine result = suite.Result("commandline", ok).Text(" returned ").Result(rc);
            if (length < XenCommandline.Length)
                result.Text(", ").Quoted(line.Text, length);
            result.End();
        }

        private static void BuildId(TestSuite suite)
        {
            long size = Hypercalls.XenVersion(XenVersionCommand.BuildId, null);
            bool ok = size > 0 || size == -XenErrno.ENODATA;
            suite.Result("build_id_size", ok).Text(" returned ").Result(size).End();
            if (size <= 0 || size > 256)
            {
                suite.Skip("build_id", "no build id to read");
                return;
            }

            // struct xen_build_id: len (in: room in buf), then buf.
            byte* buffer = stackalloc byte[XenBuildId.BufOffset + 256];
            ((XenBuildId*)buffer)->Len = 256;
            long rc = Hypercalls.XenVersion(XenVersionCommand.BuildId, buffer);
            ConsoleLine line = suite.Result("build_id", rc == size).Text(" returned ").Result(rc).Text(", ");
            for (long i = 0; i < rc && i < 64; i++)
                line.HexDigits(buffer[XenBuildId.BufOffset + i], 2);
            line.End();

            ((XenBuildId*)buffer)->Len = (uint)size - 1;
            suite.Errno("build_id_too_small", XenErrno.ENOBUFS, Hypercalls.XenVersion(XenVersionCommand.BuildId, buffer));
            ((XenBuildId*)buffer)->Len = 0;
            suite.Errno("build_id_zero_length", XenErrno.EINVAL, Hypercalls.XenVersion(XenVersionCommand.BuildId, buffer));
        }

        private static void Errors(TestSuite suite)
        {
            suite.Errno("extraversion_bad_pointer", XenErrno.EFAULT, Hypercalls.XenVersion(XenVersionCommand.Extraversion, (void*)Unmapped));
            suite.Errno("capabilities_bad_pointer", XenErrno.EFAULT,
                Hypercalls.XenVersion(XenVersionCommand.Capabilities, (void*)AddressSpaceLayout.HypervisorVirtEnd));
            suite.Errno("platform_parameters_bad_pointer", XenErrno.EFAULT,
                Hypercalls.XenVersion(XenVersionCommand.PlatformParameters, (void*)0x8000000000000000UL));
            suite.Errno("get_features_bad_pointer", XenErrno.EFAULT, Hypercalls.XenVersion(XenVersionCommand.GetFeatures, (void*)Unmapped));
            suite.Errno("unknown_subop", XenErrno.ENOSYS, Hypercalls.XenVersion(99, null));
            suite.Errno("unknown_subop_high", XenErrno.ENOSYS, Hypercalls.XenVersion(0x7FFFFFFF, null));
        }
    }
}
