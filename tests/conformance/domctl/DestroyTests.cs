using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// XEN_DOMCTL_destroydomain, last: the peer is destroyed (its frames no longer mapped by dom0, so
    /// nothing keeps it alive), getdomaininfo no longer reports it (-ESRCH, or a later domain, or the dying
    /// flag while something still holds it), a second destroy is -ESRCH; dom0's port to it is still its
    /// own to close. A second domain populated afterwards gets only zeroed frames (the destroyed
    /// domain's were scrubbed; the test says how many of its frames were reused), is destroyed too, and
    /// physinfo's free pages come back to what they were before the first creation.
    /// </summary>
    internal static unsafe class DestroyTests
    {
        public const ulong SecondMemoryKib = 8192;
        /// <summary>How long to wait for the hypervisor's deferred frees (RCU on Xen).</summary>
        public const ulong FreeWaitNs = 5000000000UL;

        public static void Run(TestSuite suite)
        {
            ushort peer = Toolstack.Peer;
            if (peer == 0)
            {
                suite.Skip("destroy", "no domain was created");
                return;
            }
            DomainBuilder builder = Toolstack.Builder;
            long rc = builder != null ? builder.Destroy() : DomainControl.Destroy(peer);
            suite.Returns("destroydomain", 0, rc);
            rc = DomainControl.GetInfo(peer, out DomctlGetDomainInfo info);
            bool gone = rc == -XenErrno.ESRCH || (rc == 0 && (info.Domain != peer || (info.Flags & DomainInfoFlags.Dying) != 0));
            ConsoleLine line = suite.Result("destroyed_domain_gone", gone).Text(" getdomaininfo returned ").Result(rc);
            if (rc == 0)
                line.Text(", domain ").Dec(info.Domain).Text(", flags ").Hex(info.Flags);
            line.End();
            suite.Errno("destroydomain_again", XenErrno.ESRCH, DomainControl.Destroy(peer));
            if (Toolstack.Port > 0)
                suite.Returns("close_port_of_destroyed_peer", 0, EventChannels.Close((uint)Toolstack.Port));

            Scrubbed(suite, builder);
            FreePages(suite);
        }

        private static void Scrubbed(TestSuite suite, DomainBuilder first)
        {
            DomainBuilder second = new DomainBuilder();
            long rc = second.Create(SecondMemoryKib, Toolstack.MaxEvtchnPort);
            if (rc == 0)
                rc = second.Populate();
            ConsoleLine line = suite.Result("second_domain_populated", rc == 0).Char(' ');
            if (rc == 0)
                line.Text("domain ").Dec(second.Domain).Text(", ").Dec(second.NrPages).Text(" pages").End();
            else
                second.WriteFailure(line).End();
            if (rc == 0)
            {
                ulong dirty = 0, reused = 0, checkedPages = 0, firstDirty = 0;
                long mapRc = 0;
                for (ulong pfn = 0; pfn < second.NrPages; pfn++)
                {
                    ulong mfn = second.P2m[pfn];
                    mapRc = second.Window.Map(second.Domain, mfn, false);
                    if (mapRc != 0)
                        break;
                    ulong* words = (ulong*)second.Window.Page;
                    bool zero = true;
                    for (int i = 0; i < 512; i++)
                        zero &= words[i] == 0;
                    if (!zero && dirty++ == 0)
                        firstDirty = mfn;
                    checkedPages++;
                    if (first != null && first.P2m != null && WasFrameOf(first, mfn))
                        reused++;
                }
                second.Window.Restore();
                suite.Result("second_domain_frames_zeroed", mapRc == 0 && dirty == 0)
                    .Text(" map ").Result(mapRc).Text(", ").Dec(checkedPages).Text(" pages read, ").Dec(dirty).Text(" not zero (first at mfn ")
                    .Hex(firstDirty).Text("), ").Dec(reused).Text(" were the destroyed domain's").End();
            }
            if (second.Domain != 0)
                suite.Returns("destroy_second_domain", 0, second.Destroy());
        }

        private static bool WasFrameOf(DomainBuilder first, ulong mfn)
        {
            for (ulong i = 0; i < first.NrPages; i++)
            {
                if (first.P2m[i] == mfn)
                    return true;
            }
            return false;
        }

        // The hypervisor may give memory back a little later (Xen frees a domain's structures after an
        // RCU grace period): wait up to FreeWaitNs for the count to come back.
        private static void FreePages(TestSuite suite)
        {
            if (!Toolstack.HaveFreePagesBefore)
            {
                suite.Skip("free_pages_restored", "no physinfo before the first creation");
                return;
            }
            ulong before = Toolstack.FreePagesBefore;
            ulong now = SystemControl.FreePages();
            ulong deadline = GuestClock.Now() + FreeWaitNs;
            while (now != before && GuestClock.Now() < deadline)
            {
                Hypercalls.Yield();
                now = SystemControl.FreePages();
            }
            ConsoleLine line = suite.Result("free_pages_restored", now == before).Text(" before ").Dec(before).Text(", after ").Dec(now);
            if (now != before)
                line.Text(" (").Signed((long)(now - before)).Text(")");
            line.End();
        }
    }
}
