using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Memory;

namespace Hypervisor.Core.Grants
{
    /// <summary>
    /// GNTTABOP_map_grant_ref and unmap_grant_ref for PV domains. A host mapping replaces the L1 entry
    /// that maps host_addr in the mapper's current page tables with the granted frame, through the
    /// frame table's own update (so the entry holds the references any mapping of a foreign frame
    /// needs: a writable mapping a writable-type reference, which a page-table frame refuses). A device
    /// mapping (bus address = machine address here: no IOMMU) holds the same references itself. While
    /// any mapping of an entry lives, the granter's entry shows GTF_reading (and GTF_writing for a
    /// writable one), so the granter knows it cannot revoke the page. GNTMAP_contains_pte (host_addr
    /// naming the L1 entry itself) is not supported: GNTST_general_error.
    /// </summary>
    public static class GrantMappings
    {
        private const ulong EntryFlags = PageTableEntry.Present | PageTableEntry.Accessed | PageTableEntry.Dirty | PageTableEntry.User;

        public static void Map(Vcpu vcpu, ref GnttabMapGrantRef op)
        {
            Domain mapper = vcpu.Domain;
            Host host = mapper.Host;
            op.Handle = uint.MaxValue;
            if ((op.Flags & (GrantMapFlags.DeviceMap | GrantMapFlags.HostMap)) == 0)
            {
                op.Status = GrantStatus.BadGntref;
                return;
            }
            Domain granter = host.Domains.Find(op.Dom);
            if (granter == null || !granter.IsAlive)
            {
                op.Status = GrantStatus.BadDomain;
                return;
            }
            GrantTable grants = granter.Grants;
            grants.EnsureFrames(granter, 1);
            if (op.Ref >= grants.EntryCount)
            {
                op.Status = GrantStatus.BadGntref;
                return;
            }
            int handle = mapper.Grants.AllocateHandle();
            if (handle < 0)
            {
                op.Status = GrantStatus.NoSpace;
                return;
            }
            bool readOnly = (op.Flags & GrantMapFlags.ReadOnly) != 0;
            ulong entry = grants.EntryAddress(op.Ref);
            ushort flags = host.Memory.Read16(entry);
            ushort grantee = host.Memory.Read16(entry + 2);
            ulong frame = host.Memory.Read32(entry + 4);
            if ((flags & GrantFlags.TypeMask) != GrantFlags.PermitAccess || grantee != mapper.Id
                || (!readOnly && (flags & GrantFlags.ReadOnly) != 0)
                || (op.Flags & GrantMapFlags.ContainsPte) != 0
                || host.FrameTable.OwnerOf(frame) != granter.Id)
            {
                op.Status = GrantStatus.GeneralError;
                return;
            }
            bool deviceMap = (op.Flags & GrantMapFlags.DeviceMap) != 0;
            bool hostMap = (op.Flags & GrantMapFlags.HostMap) != 0;
            if (deviceMap && TakeDeviceReferences(host.FrameTable, frame, granter.Id, readOnly) != 0)
            {
                op.Status = GrantStatus.GeneralError;
                return;
            }
            if (hostMap && !SetHostEntry(vcpu, op.HostAddr, granter.Id, (frame << FrameAllocator.FrameShift) | EntryFlags | (readOnly ? 0 : PageTableEntry.Writable)))
            {
                if (deviceMap)
                    DropDeviceReferences(host.FrameTable, frame, readOnly);
                op.Status = GrantStatus.GeneralError;
                return;
            }
            grants.AddMapping(host.Memory, op.Ref, readOnly);
            ref GrantMapping mapping = ref mapper.Grants.Mapping((uint)handle);
            mapping.InUse = true;
            mapping.Granter = granter.Id;
            mapping.Ref = op.Ref;
            mapping.Frame = frame;
            mapping.ReadOnly = readOnly;
            mapping.HostMap = hostMap;
            mapping.HostAddress = op.HostAddr;
            mapping.DeviceMap = deviceMap;
            op.Handle = (uint)handle;
            op.DevBusAddr = deviceMap ? frame << FrameAllocator.FrameShift : 0;
            op.Status = GrantStatus.Okay;
        }

        /// <summary>Undoes what the handle's mapping holds: the host mapping when host_addr is given
        /// (it must still map the granted frame there), the device mapping when dev_bus_addr is given
        /// (it must be the frame's); the handle is freed once neither is left.</summary>
        public static void Unmap(Vcpu vcpu, ref GnttabUnmapGrantRef op)
        {
            Domain mapper = vcpu.Domain;
            Host host = mapper.Host;
            if (!mapper.Grants.IsHandleInUse(op.Handle))
            {
                op.Status = GrantStatus.BadHandle;
                return;
            }
            ref GrantMapping mapping = ref mapper.Grants.Mapping(op.Handle);
            if (op.DevBusAddr != 0 && mapping.DeviceMap && op.DevBusAddr != mapping.Frame << FrameAllocator.FrameShift)
            {
                op.Status = GrantStatus.BadDevAddr;
                return;
            }
            if (op.HostAddr != 0 && mapping.HostMap)
            {
                if (!ClearHostEntry(vcpu, op.HostAddr, mapping.Frame))
                {
                    op.Status = GrantStatus.GeneralError;
                    return;
                }
                mapping.HostMap = false;
            }
            if (op.DevBusAddr != 0 && mapping.DeviceMap)
            {
                DropDeviceReferences(host.FrameTable, mapping.Frame, mapping.ReadOnly);
                mapping.DeviceMap = false;
            }
            if (!mapping.HostMap && !mapping.DeviceMap)
                Release(mapper, ref mapping);
            op.Status = GrantStatus.Okay;
        }

        /// <summary>A dying domain: every mapping it holds is forgotten and the granters' entries freed.
        /// Host mappings are entries of the dying domain's own page tables, which hold their references
        /// until those tables are torn down.</summary>
        public static void UnmapAll(Domain mapper)
        {
            GrantTable grants = mapper.Grants;
            for (uint handle = 0; handle < GrantTable.MaxMappings; handle++)
            {
                if (!grants.IsHandleInUse(handle))
                    continue;
                ref GrantMapping mapping = ref grants.Mapping(handle);
                if (mapping.DeviceMap)
                    DropDeviceReferences(mapper.Host.FrameTable, mapping.Frame, mapping.ReadOnly);
                mapping.DeviceMap = false;
                mapping.HostMap = false;
                Release(mapper, ref mapping);
            }
        }

        private static void Release(Domain mapper, ref GrantMapping mapping)
        {
            Domain granter = mapper.Host.Domains.Find(mapping.Granter);
            if (granter != null)
                granter.Grants.RemoveMapping(mapper.Host.Memory, mapping.Ref, mapping.ReadOnly);
            mapping = default;
        }

        private static bool SetHostEntry(Vcpu vcpu, ulong address, ushort granter, ulong entryValue)
        {
            Host host = vcpu.Domain.Host;
            if (!host.PageWalk.TryFindL1Entry(GuestMode.CurrentTableFrame(vcpu), address, out ulong entry))
                return false;
            if (host.FrameTable.UpdateL1Entry(vcpu.Domain.Id, granter, entry, entryValue) != 0)
                return false;
            host.Platform.InvalidatePage(address);
            return true;
        }

        private static bool ClearHostEntry(Vcpu vcpu, ulong address, ulong frame)
        {
            Host host = vcpu.Domain.Host;
            if (!host.PageWalk.TryFindL1Entry(GuestMode.CurrentTableFrame(vcpu), address, out ulong entry))
                return false;
            ulong current = host.Memory.Read64(entry);
            if ((current & PageTableEntry.Present) == 0 || (current & PageTableEntry.AddressMask) >> FrameAllocator.FrameShift != frame)
                return false;
            if (host.FrameTable.UpdateL1Entry(vcpu.Domain.Id, entry, 0) != 0)
                return false;
            host.Platform.InvalidatePage(address);
            return true;
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
