using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Memory;

namespace Hypervisor.Core.Hypercalls.Handlers
{
    /// <summary>
    /// memory_op(cmd, arg): the queries a PV kernel makes about memory. The low six bits of cmd are the
    /// command (MEMOP_CMD_MASK); the bits above are the extent a preempted reservation call resumes at,
    /// and the queries refuse them as Xen does (-EINVAL for the common ones; the x86 ones compare the
    /// whole cmd, so there they make an unknown command, -ENOSYS).
    /// <list type="bullet">
    /// <item>XENMEM_maximum_ram_page: the number of machine frames below the top of RAM (Xen's max_page,
    /// one past the highest RAM frame);</item>
    /// <item>XENMEM_current_reservation / maximum_reservation (xen_memory_domain): the domain's pages and
    /// page limit, for DOMID_SELF or its own id; another domain must exist (-ESRCH) and needs privilege
    /// (-EPERM);</item>
    /// <item>XENMEM_memory_map (xen_memory_map): the caller's pseudo-physical E820 map, one RAM region of
    /// its pages from 0; at most nr_entries are copied, the number copied is written back;</item>
    /// <item>XENMEM_machine_memory_map (privileged, -EPERM): the boot memory map; a null buffer asks
    /// for the count; a buffer needs room for one entry more than the map has (-EINVAL), as in Xen;</item>
    /// <item>XENMEM_machphys_mapping: where the M2P is (0xffff800000000000 up to MACH2PHYS_VIRT_END) and
    /// its highest frame (for the privileged domain max_page - 1, for others the window's last);</item>
    /// <item>XENMEM_machphys_mfn_list: the first machine frame of each 2 MiB extent of the M2P, at most
    /// max_extents, and how many were written; XENMEM_machphys_compat_mfn_list: -EOPNOTSUPP (no 32-bit
    /// PV guests, as Xen without PV32).</item>
    /// </list>
    /// XENMEM_increase_reservation, decrease_reservation and populate_physmap move a domain's memory
    /// (ballooning, <see cref="DomainReservation"/>); any other command is -ENOSYS.
    /// </summary>
    public static class MemoryOpHypercall
    {
        private const ulong ExtentBytes = 2UL << 20;

        public static long Handle(Vcpu vcpu, in HypercallArguments args)
        {
            ulong cmd = args.A1;
            ulong arg = args.A2;
            ulong startExtent = cmd >> MemoryOp.ExtentShift;
            switch ((int)(cmd & MemoryOp.CommandMask))
            {
                case MemoryOp.IncreaseReservation:
                case MemoryOp.DecreaseReservation:
                case MemoryOp.PopulatePhysmap:
                    return Reservation(vcpu, (int)(cmd & MemoryOp.CommandMask), startExtent, arg);
                case MemoryOp.MaximumRamPage:
                    if (startExtent != 0)
                        return -XenErrno.EINVAL;
                    return (long)MaxPage(vcpu.Domain.Host);
                case MemoryOp.CurrentReservation:
                case MemoryOp.MaximumReservation:
                    {
                        if (startExtent != 0)
                            return -XenErrno.EINVAL;
                        if (!GuestMemory.TryRead(vcpu, arg, out XenMemoryDomain request))
                            return -XenErrno.EFAULT;
                        Domain domain = MemoryOwners.FindDomain(vcpu, request.DomId);
                        if (domain == null)
                            return -XenErrno.ESRCH;
                        if (!MemoryOwners.MayActOn(vcpu.Domain, domain.Id))
                            return -XenErrno.EPERM;
                        return (long)((cmd & MemoryOp.CommandMask) == MemoryOp.CurrentReservation ? domain.TotalPages : domain.MaxPages);
                    }
                default:
                    return ArchMemoryOp(vcpu, cmd, arg);
            }
        }

        // Xen's increase/decrease_reservation and populate_physmap: the result is the number of extents
        // done, counting from the start extent the cmd's upper bits carry (a resumed call goes on from
        // there). An unknown domain, a domain the caller may not act on, an unreadable list or an order
        // above the limit does nothing and is no errno (Xen returns the start extent). Each extent stops the
        // call when it cannot be done (a list entry unreadable or unwritable, max_pages reached, a frame
        // not the domain's or still in use). For a PV domain the list holds machine frames: the ones to
        // give back, or (out) the ones given; populate_physmap reads the pseudo-physical frame each new
        // one is for and records it in the M2P. mem_flags (address width, NUMA node) are not honoured:
        // every frame qualifies on the machines this runs on.
        private static long Reservation(Vcpu vcpu, int command, ulong startExtent, ulong arg)
        {
            if (!GuestMemory.TryRead(vcpu, arg, out XenMemoryReservation request))
                return -XenErrno.EFAULT;
            if (startExtent >= request.NrExtents)
                return (long)startExtent;
            Domain domain = vcpu.Domain.Host.Domains.Resolve(vcpu.Domain, request.DomId);
            if (domain == null)
                return (long)startExtent;
            if (!MemoryOwners.MayActOn(vcpu.Domain, domain.Id))
                return (long)startExtent;
            if (request.ExtentOrder > DomainReservation.MaxOrder(vcpu.Domain)
                || !GuestHandle.IsOkay(request.ExtentStart, request.NrExtents, sizeof(ulong)))
                return (long)startExtent;
            ulong done = startExtent;
            for (; done < request.NrExtents; done++)
            {
                ulong at = request.ExtentStart + done * sizeof(ulong);
                if (command == MemoryOp.DecreaseReservation)
                {
                    if (!GuestMemory.TryRead(vcpu, at, out ulong mfn) || !DomainReservation.TryTakeBack(domain, mfn, request.ExtentOrder))
                        break;
                    continue;
                }
                ulong pfn = 0;
                if (command == MemoryOp.PopulatePhysmap && !GuestMemory.TryRead(vcpu, at, out pfn))
                    break;
                if (!DomainReservation.TryGive(domain, request.ExtentOrder, out ulong first))
                    break;
                if (command == MemoryOp.PopulatePhysmap)
                {
                    MachineToPhys m2p = domain.Host.MachineToPhys;
                    for (ulong j = 0; m2p != null && j < 1UL << (int)request.ExtentOrder; j++)
                        m2p.Set(first + j, pfn + j);
                }
                if (!GuestMemory.TryWrite(vcpu, at, in first))
                {
                    DomainReservation.TryTakeBack(domain, first, request.ExtentOrder);
                    break;
                }
            }
            return (long)done;
        }

        private static long ArchMemoryOp(Vcpu vcpu, ulong cmd, ulong arg)
        {
            switch (cmd)
            {
                case MemoryOp.MemoryMap:
                    return MemoryMapOfDomain(vcpu, arg);
                case MemoryOp.MachineMemoryMap:
                    return MachineMemoryMap(vcpu, arg);
                case MemoryOp.MachphysMapping:
                    return MachphysMapping(vcpu, arg);
                case MemoryOp.MachphysMfnList:
                    return MachphysMfnList(vcpu, arg);
                case MemoryOp.MachphysCompatMfnList:
                    return -XenErrno.EOPNOTSUPP;
                default:
                    return -XenErrno.ENOSYS;
            }
        }

        /// <summary>Xen's max_page: frames below the top of RAM.</summary>
        private static ulong MaxPage(Host host) => host.FrameTable.FrameCount;

        /// <summary>XENMEM_memory_map: a domain's pseudo-physical e820 exists only once a toolstack has
        /// set one (XENMEM_set_memory_map, a later issue); until then Xen answers -ENOSYS, which is
        /// what a PV dom0 always gets (it reads machine_memory_map instead).</summary>
        private static long MemoryMapOfDomain(Vcpu vcpu, ulong arg)
        {
            if (!GuestMemory.TryRead(vcpu, arg, out XenMemoryMap map))
                return -XenErrno.EFAULT;
            return -XenErrno.ENOSYS;
        }

        private static unsafe long MachineMemoryMap(Vcpu vcpu, ulong arg)
        {
            if (!vcpu.Domain.IsPrivileged)
                return -XenErrno.EPERM;
            if (!GuestMemory.TryRead(vcpu, arg, out XenMemoryMap map))
                return -XenErrno.EFAULT;
            MemoryMap boot = vcpu.Domain.Host.BootMemoryMap;
            if (boot == null)
                return -XenErrno.ENOSYS;   // the arch layer gave no map
            int count = boot.Count;
            bool store = map.Buffer != 0;
            if (store && (ulong)map.NrEntries < (ulong)count + 1)
                return -XenErrno.EINVAL;
            if (store && !GuestHandle.IsOkay(map.Buffer, map.NrEntries, (ulong)sizeof(E820Entry)))
                return -XenErrno.EFAULT;
            if (store)
            {
                for (int i = 0; i < count; i++)
                {
                    MemoryRegion region = boot[i];
                    E820Entry entry = default;
                    entry.Addr = region.Base;
                    entry.Size = region.Length;
                    entry.Type = (uint)region.Kind;   // MemoryKind's values are the E820 types
                    if (!GuestMemory.TryWrite(vcpu, map.Buffer + (ulong)i * (ulong)sizeof(E820Entry), in entry))
                        return -XenErrno.EFAULT;
                }
            }
            map.NrEntries = (uint)count;
            return GuestMemory.TryWrite(vcpu, arg, in map) ? 0 : -XenErrno.EFAULT;
        }

        private static long MachphysMapping(Vcpu vcpu, ulong arg)
        {
            XenMachphysMapping mapping = default;
            mapping.VStart = AddressSpaceLayout.MachToPhysVirtStart;
            mapping.VEnd = AddressSpaceLayout.MachToPhysVirtEnd;
            mapping.MaxMfn = AddressSpaceLayout.MachToPhysNrEntries - 1;
            if (vcpu.Domain.IsPrivileged)
                mapping.MaxMfn = MaxPage(vcpu.Domain.Host) - 1;
            return GuestMemory.TryWrite(vcpu, arg, in mapping) ? 0 : -XenErrno.EFAULT;
        }

        private static long MachphysMfnList(Vcpu vcpu, ulong arg)
        {
            if (!GuestMemory.TryRead(vcpu, arg, out XenMachphysMfnList list))
                return -XenErrno.EFAULT;
            MachineToPhys m2p = vcpu.Domain.Host.MachineToPhys;
            ulong extents = (m2p.EntryCount * 8 + ExtentBytes - 1) / ExtentBytes;
            ulong first = m2p.BaseAddress >> FrameAllocator.FrameShift;
            const ulong framesPerExtent = ExtentBytes >> FrameAllocator.FrameShift;
            uint i = 0;
            for (; i != list.MaxExtents && i < extents; i++)
            {
                ulong mfn = first + i * framesPerExtent;
                if (!GuestMemory.TryWrite(vcpu, list.ExtentStart + (ulong)i * 8, in mfn))
                    return -XenErrno.EFAULT;
            }
            list.NrExtents = i;
            return GuestMemory.TryWrite(vcpu, arg, in list) ? 0 : -XenErrno.EFAULT;
        }
    }
}
