using Hypervisor.Abi;
using Hypervisor.Core.Events;
using Hypervisor.Core.Grants;
using Hypervisor.Core.Hypercalls.Handlers;
using Hypervisor.Core.Memory;

namespace Hypervisor.Core.Domains
{
    /// <summary>
    /// domctl destroydomain: nothing a domain held survives it. Its ports close (their interdomain peers
    /// become unbound), the grant mappings it holds are dropped and its grant table lets go of its
    /// frames, its timers stop, its page-table bases, GDT frames and pins are put, and then every frame
    /// it owns is given back to the allocator as dirty: not zeroed here (that made destruction slow), but
    /// by an idle CPU or at the latest by the allocation that hands it out again (FrameAllocator.Scrubbing.cs). A frame another domain still maps (a foreign
    /// or grant mapping in dom0's tables) cannot go yet: the domain then stays <see cref="DomainState.Dying"/>
    /// and the frame table reports when the last such mapping goes (<see cref="FrameTable.ReleasePending"/>),
    /// which <see cref="ReapIfPending"/> acts on. The id is free again once the domain is dead.
    /// </summary>
    public static class DomainDestruction
    {
        /// <summary>Starts (or continues) destroying <paramref name="domain"/>; true once it is dead.</summary>
        public static bool Destroy(Domain domain)
        {
            if (domain.State == DomainState.Dead)
                return true;
            if (domain.State != DomainState.Dying)
            {
                if (domain.ConsoleLineLength != 0)
                    ConsoleIoHypercall.FlushLine(domain);
                domain.State = DomainState.Dying;
                domain.Host.TimersChanged = true;
                if (domain.Host.Scheduler != null)
                    domain.Host.Scheduler.RemoveDomain(domain);
                // Its vCPUs may still be running on other CPUs, on the page tables about to go.
                domain.Host.Platform.StopDomainElsewhere(domain, true);
                ReleaseHoldings(domain);
                if (domain.Host.FrameTable != null)
                    domain.Host.FrameTable.SetOwnerDying(domain.Id, true);
                bool released = ReturnFrames(domain);
                // Xen's domain_kill raises VIRQ_DOM_EXC as soon as the domain has let go of what it held,
                // even while other domains still map some of its frames: that is how the toolstack learns
                // that it is dying and unmaps them. Xen raises it again when the domain is finally gone
                // (ReturnFrames does that); a domain that goes at once is announced by that alone.
                if (!released)
                    NotifyControlDomain(domain);
                return released;
            }
            return ReturnFrames(domain);
        }

        /// <summary>Gives back the frames of dying domains whose last outside mapping has gone since the
        /// last call (cheap when there is nothing to do).</summary>
        public static void ReapIfPending(Host host)
        {
            FrameTable frames = host.FrameTable;
            if (frames == null || !frames.ReleasePending)
                return;
            frames.ClearReleasePending();
            DomainList list = host.Domains;
            for (int i = 0; i < list.Count; i++)
            {
                Domain domain = list.At(i);
                if (domain != null && domain.State == DomainState.Dying)
                    ReturnFrames(domain);
            }
        }

        private static void ReleaseHoldings(Domain domain)
        {
            EventChannels.CloseAll(domain);
            GrantMappings.UnmapAll(domain);
            domain.Grants.DropFrames(domain);
            for (int i = 0; i < domain.WatchdogDeadlines.Length; i++)
                domain.WatchdogDeadlines[i] = 0;
            FrameTable frames = domain.Host.FrameTable;
            Vcpu[] vcpus = domain.Vcpus;
            for (int i = 0; i < vcpus.Length; i++)
                ReleaseVcpu(vcpus[i], frames);
            if (frames != null)
                frames.UnpinAll(domain.Id);
        }

        private static void ReleaseVcpu(Vcpu vcpu, FrameTable frames)
        {
            vcpu.IsBlocked = false;
            vcpu.IsPolling = false;
            vcpu.PollDeadline = 0;
            vcpu.SingleshotDeadline = 0;
            vcpu.PeriodicPeriod = 0;
            if (frames == null)
                return;
            PutBase(frames, ref vcpu.KernelTableFrame);
            PutBase(frames, ref vcpu.UserTableFrame);
            PutBase(frames, ref vcpu.RetiredKernelTableFrame);
            for (int i = 0; i < vcpu.GdtFrameCount; i++)
                PutBase(frames, ref vcpu.GdtFrames[i]);
            vcpu.GdtFrameCount = 0;
            if (vcpu.HasRegisteredVcpuInfo)
            {
                frames.PutPageAndType(vcpu.VcpuInfoFrame);
                vcpu.HasRegisteredVcpuInfo = false;
                vcpu.VcpuInfoFrame = 0;
            }
            vcpu.VcpuInfoAddress = vcpu.Domain.SharedInfoAddress;
            vcpu.IsDown = true;
        }

        private static void PutBase(FrameTable frames, ref ulong frame)
        {
            if (frame != 0)
                frames.PutPageAndType(frame);
            frame = 0;
        }

        // Frees (dirty) every frame of the domain nothing else holds; true when none is left. The frame
        // table knows how many the domain owns and where they lie: the search ends with the last of them.
        private static bool ReturnFrames(Domain domain)
        {
            Host host = domain.Host;
            FrameTable frames = host.FrameTable;
            ulong left = 0, returned = 0;
            if (frames != null)
            {
                ulong owned = frames.FramesOwnedBy(domain.Id);
                frames.OwnedRange(domain.Id, out ulong first, out ulong end);
                for (ulong mfn = first; mfn < end && left + returned < owned; mfn++)
                {
                    if (frames.OwnerOf(mfn) != domain.Id)
                        continue;
                    if (frames.Release(mfn) != 0)
                    {
                        left++;
                        continue;
                    }
                    if (host.MachineToPhys != null)
                        host.MachineToPhys.Set(mfn, MachineToPhys.Invalid);
                    host.Frames.Free(mfn << FrameAllocator.FrameShift);
                    returned++;
                }
            }
            else if (domain.SharedInfoAddress != 0)
            {
                host.Frames.Free(domain.SharedInfoAddress);
            }
            domain.TotalPages = left;
            if (returned != 0)
                host.Log.Info().Text("domain ").Dec((ulong)domain.Id).Text(": ").Dec(returned).Text(" frames returned, to be scrubbed")
                    .Text(left != 0 ? ", some still mapped elsewhere" : "").End();
            if (left != 0)
                return false;
            domain.State = DomainState.Dead;
            if (frames != null)
                frames.SetOwnerDying(domain.Id, false);
            host.Domains.Remove(domain);
            ulong arena = host.ObjectArenas != null ? domain.ObjectArena : 0;
            if (arena != 0)
                host.Log.Info().Text("domain ").Dec((ulong)domain.Id).Text(" destroyed, with ").Size(host.ObjectArenas.SizeOf(arena)).Text(" of its objects").End();
            else
                host.Log.Info().Text("domain ").Dec((ulong)domain.Id).Text(" destroyed").End();
            NotifyControlDomain(domain);
            // Last: the domain's own objects (this one among them) go back to the frame allocator.
            if (arena != 0)
                host.ObjectArenas.Release(arena);
            return true;
        }

        /// <summary>VIRQ_DOM_EXC to dom0, which watches for domains that shut down or die (as under Xen).</summary>
        public static void NotifyControlDomain(Domain domain)
        {
            Domain control = domain.Host.Domains.Find(0);
            if (control != null && control != domain && control.IsAlive)
                EventChannels.SendGlobalVirq(control, Virq.DomExc);
        }
    }
}
