using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Hypercalls.Handlers;
using Hypervisor.Core.Memory;

namespace Hypervisor.Core.Grants
{
    /// <summary>
    /// GNTTABOP_map_grant_ref, unmap_grant_ref and unmap_and_replace for PV domains, as Xen 4.17 does
    /// them. A host mapping writes the L1 entry that maps host_addr in the mapper's current page tables
    /// (or, with GNTMAP_contains_pte, the L1 entry at machine address host_addr) through the frame
    /// table's own update, so the entry holds the references any mapping of the frame needs (a writable
    /// one a writable type, which a page table refuses) and gives them up however it is replaced. A
    /// device mapping (bus address = machine address: no IOMMU) holds the same references itself. Each
    /// mapping pins the granter's entry (<see cref="ActiveGrant"/>), which keeps GTF_reading (and
    /// GTF_writing for a writable one) set, so the granter knows it cannot revoke the page.
    /// </summary>
    public static class GrantMappings
    {
        /// <summary>Xen's _PAGE_GUEST_KERNEL (software bit 52): set in a kernel-only mapping that gets
        /// the user bit because 64-bit PV kernels run in ring 3. Guests see it when they read the entry.</summary>
        public const ulong KernelOnly = 1UL << 52;

        private const ulong BaseFlags = PageTableEntry.Present | PageTableEntry.Accessed | PageTableEntry.Dirty
                                      | PageTableEntry.User | PageTableEntry.NoExecute;

        /// <summary>The L1 entry a host mapping of <paramref name="frame"/> gets: present, accessed, dirty,
        /// no-execute, writable unless GNTMAP_readonly, user-accessible (with bit 52 unless
        /// GNTMAP_application_map), and the GNTMAP_guest_avail bits in the entry's bits 9-11.</summary>
        public static ulong HostEntry(ulong frame, uint flags)
        {
            ulong entry = (frame << FrameAllocator.FrameShift) | BaseFlags;
            if ((flags & GrantMapFlags.ReadOnly) == 0)
                entry |= PageTableEntry.Writable;
            if ((flags & GrantMapFlags.ApplicationMap) == 0)
                entry |= KernelOnly;
            entry |= (((ulong)flags >> GrantMapFlags.GuestAvailShift) & 7) << 9;
            return entry;
        }

        public static void Map(Vcpu vcpu, ref GnttabMapGrantRef op)
        {
            Domain mapper = vcpu.Domain;
            Host host = mapper.Host;
            uint flags = op.Flags;
            bool hostMap = (flags & GrantMapFlags.HostMap) != 0;
            bool deviceMap = (flags & GrantMapFlags.DeviceMap) != 0;
            bool readOnly = (flags & GrantMapFlags.ReadOnly) != 0;
            if (!hostMap && !deviceMap)
            {
                op.Status = GrantStatus.BadGntref;
                return;
            }
            // A numeric id only: DOMID_SELF names no granter here (Xen looks the id up as it is).
            Domain granter = host.Domains.Find(op.Dom);
            if (granter == null || !granter.IsAlive)
            {
                op.Status = GrantStatus.BadDomain;
                return;
            }
            // Xen 4.17 answers a full maptrack with GNTST_no_space (older versions said no_device_space).
            int handle = mapper.Grants.AllocateHandle(mapper);
            if (handle < 0)
            {
                op.Status = GrantStatus.NoSpace;
                return;
            }
            GrantTable grants = granter.Grants;
            grants.EnsureFrames(granter, 1);
            if (op.Ref >= grants.EntryCount)
            {
                op.Status = GrantStatus.BadGntref;
                return;
            }
            short status = grants.Acquire(host, granter.Id, op.Ref, mapper.Id, readOnly, true, out ulong frame);
            if (status != GrantStatus.Okay)
            {
                op.Status = status;
                return;
            }
            uint pin = ActiveGrant.Increment(hostMap, deviceMap, readOnly);
            grants.AddPin(op.Ref, pin, mapper.Id, frame);

            FrameTable frames = host.FrameTable;
            bool ok = !deviceMap || TakeDeviceReferences(frames, frame, granter.Id, readOnly) == 0;
            if (ok && hostMap && !SetHostEntry(vcpu, op.HostAddr, (flags & GrantMapFlags.ContainsPte) != 0, granter.Id, HostEntry(frame, flags)))
            {
                if (deviceMap)
                    DropDeviceReferences(frames, frame, readOnly);
                ok = false;
            }
            if (!ok)
            {
                grants.DropPin(op.Ref, pin);
                grants.Settle(host.Memory, op.Ref, !readOnly);
                op.Status = GrantStatus.GeneralError;
                return;
            }

            ref GrantMapping mapping = ref mapper.Grants.Mapping((uint)handle);
            mapping.InUse = true;
            mapping.Granter = granter.Id;
            mapping.Ref = op.Ref;
            mapping.Frame = frame;
            mapping.Flags = flags;
            op.Handle = (uint)handle;
            // Xen reports the frame's bus address for host mappings too.
            op.DevBusAddr = frame << FrameAllocator.FrameShift;
            op.Status = GrantStatus.Okay;
        }

        /// <summary>
        /// Undoes what a handle's mapping holds: the host mapping when <paramref name="hostAddress"/> is
        /// given (the entry there must still map the granted frame; with <paramref name="newAddress"/>,
        /// the entry that maps newAddress moves there and newAddress is left unmapped: unmap_and_replace),
        /// the device mapping when <paramref name="devBusAddress"/> is given (it must be the frame's).
        /// Nothing named is no error. The handle is freed once neither half is left.
        /// </summary>
        public static short Unmap(Vcpu vcpu, ulong hostAddress, ulong devBusAddress, ulong newAddress, uint handle)
        {
            Domain mapper = vcpu.Domain;
            Host host = mapper.Host;
            if (!mapper.Grants.IsHandleInUse(handle))
                return GrantStatus.BadHandle;
            ref GrantMapping mapping = ref mapper.Grants.Mapping(handle);
            // A granter stays in the domain list while a mapping holds its frame (dying, with its grant
            // table dropped: the pin and flags are then nothing to undo); refuse rather than guess if
            // it is gone all the same.
            Domain granter = host.Domains.Find(mapping.Granter);
            if (granter == null)
                return GrantStatus.GeneralError;
            ulong frame = mapping.Frame;
            if (devBusAddress != 0 && mapping.DeviceMap && devBusAddress != frame << FrameAllocator.FrameShift)
                return GrantStatus.BadDevAddr;

            bool readOnly = mapping.ReadOnly;
            uint done = 0;
            if (hostAddress != 0 && mapping.HostMap)
            {
                if (!ReplaceHostEntry(vcpu, hostAddress, mapping.ContainsPte, frame, newAddress))
                    return GrantStatus.GeneralError;
                mapping.Flags &= ~GrantMapFlags.HostMap;
                done += ActiveGrant.Increment(true, false, readOnly);
            }
            if (devBusAddress != 0 && mapping.DeviceMap)
            {
                DropDeviceReferences(host.FrameTable, frame, readOnly);
                mapping.Flags &= ~GrantMapFlags.DeviceMap;
                done += ActiveGrant.Increment(false, true, readOnly);
            }
            if (done != 0)
            {
                granter.Grants.DropPin(mapping.Ref, done);
                granter.Grants.Settle(host.Memory, mapping.Ref, !readOnly);
            }
            if (!mapping.HostMap && !mapping.DeviceMap)
                mapping = default;
            return GrantStatus.Okay;
        }

        /// <summary>A dying domain: every mapping it holds is forgotten and the granters' entries unpinned.
        /// Host mappings are entries of the dying domain's own page tables, which hold their references
        /// until those tables are torn down.</summary>
        public static void UnmapAll(Domain mapper)
        {
            GrantTable grants = mapper.Grants;
            Host host = mapper.Host;
            for (uint handle = 0; handle < (uint)grants.HandleCapacity; handle++)
            {
                if (!grants.IsHandleInUse(handle))
                    continue;
                ref GrantMapping mapping = ref grants.Mapping(handle);
                if (mapping.DeviceMap)
                    DropDeviceReferences(host.FrameTable, mapping.Frame, mapping.ReadOnly);
                Domain granter = host.Domains.Find(mapping.Granter);
                if (granter != null)
                {
                    granter.Grants.DropPin(mapping.Ref, ActiveGrant.Increment(mapping.HostMap, mapping.DeviceMap, mapping.ReadOnly));
                    granter.Grants.Settle(host.Memory, mapping.Ref, !mapping.ReadOnly);
                }
                mapping = default;
            }
        }

        private static bool SetHostEntry(Vcpu vcpu, ulong address, bool containsPte, ushort granter, ulong entryValue)
        {
            Domain domain = vcpu.Domain;
            Host host = domain.Host;
            ulong entry = address;
            if (containsPte ? !IsOwnL1Entry(domain, address)
                            : !host.PageWalk.TryFindL1Entry(GuestMode.CurrentTableFrame(vcpu), address, out entry))
                return false;
            if (host.FrameTable.UpdateL1Entry(domain.Id, granter, entry, entryValue) != 0)
                return false;
            Flush(domain, containsPte, address);
            return true;
        }

        /// <summary>
        /// Replaces the host mapping of <paramref name="frame"/> at <paramref name="address"/> with nothing,
        /// or with the entry that maps <paramref name="newAddress"/> (which is then cleared). As in Xen,
        /// the new address's entry is taken before the old one is looked at: if the old one turns out not
        /// to map the frame, the call fails with the new address already unmapped.
        /// </summary>
        private static bool ReplaceHostEntry(Vcpu vcpu, ulong address, bool containsPte, ulong frame, ulong newAddress)
        {
            Domain domain = vcpu.Domain;
            Host host = domain.Host;
            FrameTable frames = host.FrameTable;
            ulong tables = GuestMode.CurrentTableFrame(vcpu);
            ulong entry = address, newEntry = 0, moved = 0;
            if (containsPte)
            {
                if (newAddress != 0 || !IsOwnL1Entry(domain, address))
                    return false;
            }
            else
            {
                if (newAddress != 0)
                {
                    if (!host.PageWalk.TryFindL1Entry(tables, newAddress, out newEntry) || !IsOwnL1Entry(domain, newEntry))
                        return false;
                    moved = host.Memory.Read64(newEntry);
                }
                bool found = host.PageWalk.TryFindL1Entry(tables, address, out entry);
                if (!found || entry == newEntry || !MapsFrame(host.Memory, entry, frame))
                {
                    if (newAddress != 0)
                    {
                        frames.UpdateL1Entry(domain.Id, newEntry, 0);
                        Flush(domain, false, newAddress);
                    }
                    return false;
                }
            }
            if (!MapsFrame(host.Memory, entry, frame))
                return false;
            // The moved entry keeps mapping what it mapped: its frame's owner is whose frame it may map.
            ushort owner = (moved & PageTableEntry.Present) != 0 ? frames.OwnerOf(PageTableEntry.FrameOf(moved)) : domain.Id;
            if (frames.UpdateL1Entry(domain.Id, owner, entry, moved) != 0)
                return false;
            Flush(domain, containsPte, address);
            if (newAddress != 0)
            {
                frames.UpdateL1Entry(domain.Id, newEntry, 0);
                Flush(domain, false, newAddress);
            }
            return true;
        }

        private static bool MapsFrame(PhysicalMemory memory, ulong entry, ulong frame)
        {
            ulong current = memory.Read64(entry);
            return (current & PageTableEntry.Present) != 0 && PageTableEntry.FrameOf(current) == frame;
        }

        /// <summary>An aligned entry of one of the domain's validated L1 tables (what GNTMAP_contains_pte
        /// may name): checked before the hypervisor reads it.</summary>
        private static bool IsOwnL1Entry(Domain domain, ulong machineAddress)
        {
            FrameTable frames = domain.Host.FrameTable;
            ulong mfn = machineAddress >> FrameAllocator.FrameShift;
            return (machineAddress & (PageTableEntry.EntrySize - 1)) == 0 && frames.OwnerOf(mfn) == domain.Id
                && frames.TypeOf(mfn) == PageType.L1 && frames.TypeCountOf(mfn) != 0 && frames.IsValidated(mfn);
        }

        // An entry named by its machine address may map any address: flush everything. As in Xen, the
        // mapping domain's other CPUs flush too: once an unmap returns, the granter may reuse its frame.
        private static void Flush(Domain mapper, bool wholeTlb, ulong address)
        {
            MemoryOwners.FinishTlb(mapper.Host, wholeTlb, !wholeTlb, address);
            mapper.Host.Platform.FlushOtherCpus(mapper);
        }

        private static int TakeDeviceReferences(FrameTable frames, ulong frame, ushort granter, bool readOnly)
            => readOnly ? frames.GetPage(frame, granter) : frames.GetPageAndType(frame, PageType.Writable, granter);

        private static void DropDeviceReferences(FrameTable frames, ulong frame, bool readOnly)
        {
            if (readOnly)
                frames.PutPage(frame);
            else
                frames.PutPageAndType(frame);
        }
    }
}
