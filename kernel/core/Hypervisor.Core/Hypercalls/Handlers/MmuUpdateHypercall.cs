using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Memory;

namespace Hypervisor.Core.Hypercalls.Handlers
{
    /// <summary>
    /// mmu_update(reqs, count, done_out, foreigndom): a batch of page-table entry writes and M2P updates,
    /// each request {ptr, val} read once, in order, stopping at the first that fails. The low three bits
    /// of ptr select the command:
    /// <list type="bullet">
    /// <item>MMU_NORMAL_PT_UPDATE (and MMU_PT_UPDATE_NO_TRANSLATE, the same thing for a PV guest): the
    /// frame table checks and writes the entry at machine address ptr (a validated table's entry is
    /// validated at its level; a frame in no use is written plainly);</item>
    /// <item>MMU_PT_UPDATE_PRESERVE_AD: the same, keeping the accessed and dirty bits the entry has now;</item>
    /// <item>MMU_MACHPHYS_UPDATE: the M2P entry of frame ptr >> 12 becomes val;</item>
    /// <item>anything else: -ENOSYS.</item>
    /// </list>
    /// foreigndom bits 15..0 name whose frames new L1 entries may map (DOMID_SELF; DOMID_IO; DOMID_XEN or
    /// another domain for privileged callers), bits 31..16 the page-table owner plus one (0: the caller).
    /// The number of requests done is added to *done_out when given; a count with bit 31
    /// (MMU_UPDATE_PREEMPTED) continues an earlier call, whose count is read back from done_out first.
    /// Nothing is preempted here: the batch runs to its end or its first error.
    /// Guests flush their own TLBs after changing their mappings (as under Xen); the TLB is flushed here
    /// only when the frame table changed a frame's type, so that no stale writable or page-table
    /// translation survives.
    /// </summary>
    public static unsafe class MmuUpdateHypercall
    {
        /// <summary>MMU_UPDATE_PREEMPTED: bit 31 of count.</summary>
        public const uint Preempted = 1u << 31;

        private const ulong RequestSize = 16;
        // Xen takes the command from the bits below the entry size: 0..7 (4..7 are unknown).
        private const ulong CommandBits = 7;
        private const ulong AccessedDirty = PageTableEntry.Accessed | PageTableEntry.Dirty;

        public static long Handle(Vcpu vcpu, in HypercallArguments args)
        {
            ulong requests = args.A1;
            uint count = (uint)args.A2;
            ulong doneOut = args.A3;
            uint foreignDomain = (uint)args.A4;

            // Xen's continuation carrying a final result: (NULL, PREEMPTED, -, rc) returns rc.
            if (count == Preempted && requests == 0)
                return (int)foreignDomain;
            uint done = 0;
            if ((count & Preempted) != 0)
            {
                count &= ~Preempted;
                if (doneOut != 0 && !GuestMemory.TryRead(vcpu, doneOut, out done))
                    done = 0;
            }
            if (!GuestHandle.IsOkay(requests, count, RequestSize))
                return -XenErrno.EFAULT;

            Domain domain = vcpu.Domain;
            uint tableDomain = foreignDomain >> 16;
            if (tableDomain != 0 && (ushort)(tableDomain - 1) != domain.Id)
                return -XenErrno.ESRCH;   // page tables of another domain: none exists today

            uint i = 0;
            int rc = MemoryOwners.GetPageOwner(vcpu, (ushort)foreignDomain, out ushort pageOwner);
            if (rc == 0)
                rc = Run(vcpu, requests, count, pageOwner, out i);

            MemoryOwners.FinishTlb(domain.Host, false, false, 0);
            if (doneOut != 0)
            {
                done += i;
                GuestMemory.TryWrite(vcpu, doneOut, in done);
            }
            return rc;
        }

        private static int Run(Vcpu vcpu, ulong requests, uint count, ushort pageOwner, out uint i)
        {
            Domain domain = vcpu.Domain;
            Host host = domain.Host;
            FrameTable frames = host.FrameTable;
            PhysicalMemory memory = host.Memory;
            ushort self = domain.Id;
            // XSM's check for normal updates: mapping DOMID_IO frames is judged by the frame table (I/O
            // permission); any other foreign owner needs privilege.
            bool mayMapForeign = pageOwner == FrameOwner.Io || MemoryOwners.MayActOn(domain, pageOwner);
            var reader = new GuestRequestReader(vcpu);
            ulong* request = stackalloc ulong[2];

            int rc = 0;
            for (i = 0; i < count; i++)
            {
                if (!reader.TryRead(requests + (ulong)i * RequestSize, request, 2))
                    return -XenErrno.EFAULT;
                ulong ptr = request[0];
                ulong value = request[1];
                ulong command = ptr & CommandBits;
                switch (command)
                {
                    case MmuUpdateCommand.NormalPtUpdate:
                    case MmuUpdateCommand.PtUpdatePreserveAd:
                    case MmuUpdateCommand.PtUpdateNoTranslate:
                        {
                            if (!mayMapForeign)
                                return -XenErrno.EPERM;
                            ulong address = ptr - command;
                            if (command == MmuUpdateCommand.PtUpdatePreserveAd)
                                value |= CurrentAccessedDirty(frames, memory, self, address);
                            rc = frames.UpdateEntry(self, pageOwner, address, value);
                            break;
                        }
                    case MmuUpdateCommand.MachphysUpdate:
                        if (pageOwner != FrameOwner.Io && !MemoryOwners.MayActOn(domain, pageOwner))
                            return -XenErrno.EPERM;
                        rc = host.MachineToPhys.GuestUpdate(frames, pageOwner, ptr >> FrameAllocator.FrameShift, value);
                        break;
                    default:
                        return -XenErrno.ENOSYS;
                }
                if (rc != 0)
                    return rc;
            }
            return 0;
        }

        // MMU_PT_UPDATE_PRESERVE_AD: the A/D bits of the entry as it is, when it is an entry of one of the
        // domain's validated page tables (a plain write keeps nothing, as in Xen).
        private static ulong CurrentAccessedDirty(FrameTable frames, PhysicalMemory memory, ushort domain, ulong address)
        {
            ulong mfn = address >> FrameAllocator.FrameShift;
            PageType type = frames.TypeOf(mfn);
            if (type < PageType.L1 || type > PageType.L4 || frames.OwnerOf(mfn) != domain
                || frames.TypeCountOf(mfn) == 0 || !frames.IsValidated(mfn))
                return 0;
            return memory.Read64(address) & AccessedDirty;
        }
    }
}
