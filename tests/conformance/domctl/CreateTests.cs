using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// XEN_DOMCTL_createdomain: a configuration without vCPUs, with unknown flags, without a grant-table
    /// version, with unknown grant options or grant limits above Xen's defaults is -EINVAL; a PV domain with emulated devices -EOPNOTSUPP (the PIT alone is accepted);
    /// a valid one gets an id picked by the hypervisor (domain 0 asks for that); asking for an id in use
    /// is -EEXIST, judged before the configuration. The new domain is the peer of the later tests.
    /// </summary>
    internal static unsafe class CreateTests
    {
        /// <summary>XEN_X86_EMU_LAPIC and XEN_X86_EMU_PIT: a PV domain may have the PIT alone.</summary>
        public const uint EmulatedLapic = 1u << 0;
        public const uint EmulatedPit = 1u << 8;

        public static void Run(TestSuite suite)
        {
            DomctlCreateDomain config = Valid();
            config.MaxVcpus = 0;
            suite.Errno("createdomain_no_vcpus", XenErrno.EINVAL, Create(config, 0));
            config = Valid();
            config.Flags = 1u << 20;
            suite.Errno("createdomain_unknown_flags", XenErrno.EINVAL, Create(config, 0));
            config = Valid();
            config.GrantOpts = 0;
            suite.Errno("createdomain_grant_version_0", XenErrno.EINVAL, Create(config, 0));
            config = Valid();
            config.GrantOpts = 1 | (1u << 8);
            suite.Errno("createdomain_unknown_grant_opts", XenErrno.EINVAL, Create(config, 0));
            // Xen 4.17's grant_table_init: the defaults (64 table frames, 1024 maptrack frames) are the most.
            config = Valid();
            config.MaxGrantFrames = 65;
            suite.Errno("createdomain_grant_frames_above_default", XenErrno.EINVAL, Create(config, 0));
            config = Valid();
            config.MaxMaptrackFrames = 1025;
            suite.Errno("createdomain_maptrack_frames_above_default", XenErrno.EINVAL, Create(config, 0));
            config = Valid();
            config.EmulationFlags = EmulatedLapic;
            suite.Errno("createdomain_pv_with_emulated_lapic", XenErrno.EOPNOTSUPP, Create(config, 0));
            config = Valid();
            config.EmulationFlags = EmulatedPit;
            suite.Returns("createdomain_pv_with_pit", 0, Create(config, 0));

            config = Valid();
            long rc = DomainControl.CreateDomain(config, 0, out ushort id);
            bool ok = rc == 0 && id > 0 && id < DomainId.FirstReserved;
            suite.Result("createdomain", ok).Text(" returned ").Result(rc).Text(", domain ").Dec(id).End();
            if (!ok)
                return;
            Toolstack.Peer = id;

            suite.Errno("createdomain_id_in_use", XenErrno.EEXIST, Create(Valid(), id));
            config = Valid();
            config.MaxVcpus = 0;
            suite.Errno("createdomain_id_in_use_before_config", XenErrno.EEXIST, Create(config, id));
        }

        private static DomctlCreateDomain Valid() => DomainControl.PvConfig(1, Toolstack.MaxEvtchnPort);

        // A creation expected to fail; one that succeeds is undone at once.
        private static long Create(in DomctlCreateDomain config, ushort requested)
        {
            long rc = DomainControl.CreateDomain(config, requested, out ushort id);
            if (rc == 0)
                DomainControl.Destroy(id);
            return rc;
        }
    }
}
