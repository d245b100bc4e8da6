using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// The peer: created with small grant limits of its own (<see cref="GrantFrames"/> table frames,
    /// <see cref="MaptrackFrames"/> maptrack frame) so that the limit tests can reach them, built from
    /// dom0's initrd (this kernel) with "role=peer", started, and serving its mailbox within 10 s.
    /// Free memory is read first, for the last test (everything back after the peer's destruction), once
    /// dom0's own structures have grown as the tests will grow them.
    /// </summary>
    internal static unsafe class PeerSetup
    {
        public const ulong MemoryKib = 8192;
        public const uint MaxEvtchnPort = 1023;
        public const int GrantFrames = 2;
        public const int MaptrackFrames = 1;

        /// <summary>Dom0's grant to itself that makes its maptrack's first frame.</summary>
        public const uint GrowthRef = 17;

        public static ulong FreePagesBefore;
        public static bool HaveFreePagesBefore;

        public static void Run(TestSuite suite, byte* image, ulong length)
        {
            GrowDom0(suite);
            long rc = SystemControl.Physinfo(out SysctlPhysinfo info);
            HaveFreePagesBefore = rc == 0;
            FreePagesBefore = info.FreePages;

            PeerDomain peer = new PeerDomain();
            DomctlCreateDomain config = DomainControl.PvConfig(1, MaxEvtchnPort);
            config.MaxGrantFrames = GrantFrames;
            config.MaxMaptrackFrames = MaptrackFrames;
            rc = peer.Create(config, MemoryKib);
            suite.Result("create_peer", rc == 0).Text(" returned ").Result(rc).Text(", domain ").Dec(peer.Domain).End();
            if (rc != 0)
                return;
            CommandLineWriter role = new CommandLineWriter();
            role.Append("role=peer");
            rc = peer.Build(image, length, role);
            ConsoleLine line = suite.Result("build_peer", rc == 0).Char(' ');
            if (rc == 0)
                line.Text("control port ").Dec(peer.ControlPort).Text(", mailbox at ").Hex(peer.MailboxAddress).End();
            else
                peer.Builder.WriteFailure(line).End();
            if (rc != 0)
                return;
            rc = peer.Start();
            line = suite.Result("peer_serves_mailbox", rc == 0).Text(" returned ").Result(rc).Text(" after ").Dec(peer.LastWaitNs / 1000000).Text(" ms");
            peer.Describe(line).End();
            Remote.Peer = peer;
        }

        // Dom0's own structures in the hypervisor grow the first time the tests need them and stay
        // (Xen: a second bucket of event channels and its group page, the first maptrack frame): they
        // grow now, so that the free memory read next is what the peer must give back.
        private static void GrowDom0(TestSuite suite)
        {
            long rc = GrantTables.MapTable((ulong)GuestMemory.AllocatePages(1));
            suite.Returns("dom0_grant_table_mapped", 0, rc);
            long* ports = stackalloc long[(int)PortIsolationTests.BeyondPeerTable + 1];
            int count = 0;
            long port = 0;
            while (count <= (int)PortIsolationTests.BeyondPeerTable && (port = EventChannels.AllocUnbound(DomainId.Self, DomainId.Self)) > 0)
            {
                ports[count++] = port;
                if (port >= PortIsolationTests.BeyondPeerTable)
                    break;
            }
            for (int i = 0; i < count; i++)
                EventChannels.Close((uint)ports[i]);
            ulong* page = (ulong*)GuestMemory.AllocatePages(1);
            GrantTables.Grant(GrowthRef, 0, MachineFrames.Of(page), true);
            long map = GrantTables.Map(0, GrantMapFlags.DeviceMap | GrantMapFlags.ReadOnly, 0, GrowthRef, out GnttabMapGrantRef op);
            if (op.Status == GrantStatus.Okay)
                GrantTables.Unmap(0, op.DevBusAddr, op.Handle, out _);
            GrantTables.EndAccess(GrowthRef);
            suite.Result("dom0_structures_grown", port >= PortIsolationTests.BeyondPeerTable && map == 0 && op.Status == GrantStatus.Okay)
                .Text(" ports up to ").Result(port).Text(", a grant mapped with status ").GrantStatus(op.Status).End();
        }
    }
}
