using System;
using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Memory;

namespace Hypervisor.Core.DomainBuilding
{
    /// <summary>
    /// Builds a 64-bit PV domain from a kernel image in memory, as Xen's PV domain builder does: gives
    /// it its pages, loads the kernel's segments, the initrd and the P2M list, writes start_info and
    /// the hypercall page, builds bootstrap page tables that map the bootstrap region (themselves
    /// read-only) and pins them through the frame table, which checks every entry like any guest
    /// update. The first vCPU starts at the kernel's entry with RSI = start_info and RSP at the top
    /// of the bootstrap stack. A P2M list at the kernel's INIT_P2M address is mapped there by tables of
    /// its own, hung from the same L4 (see <see cref="PvLayout"/>).
    /// </summary>
    public sealed class PvDomainBuilder
    {
        private const ulong PageSize = 4096;
        private const ulong TableFlags = PageTableEntry.Present | PageTableEntry.Writable | PageTableEntry.User | PageTableEntry.Accessed;
        private const ulong DataFlags = TableFlags | PageTableEntry.Dirty;
        private const ulong ReadOnlyFlags = PageTableEntry.Present | PageTableEntry.User | PageTableEntry.Accessed;

        public BuildProblem Problem;
        /// <summary>The number the problem refers to (pages needed, the frame table's errno).</summary>
        public ulong ProblemValue;
        public KernelImage Kernel;
        public PvLayout Layout;
        public Domain Domain;

        private Host host;
        private PhysicalMemory memory;
        private ulong[] p2m;
        private ulong nextTable;
        private ulong nextP2mTable;
        private bool takingP2mTables;

        public bool Succeeded => Problem == BuildProblem.None;

        public static PvDomainBuilder Build(Host host, ushort domainId, bool privileged,
                                            ulong kernelAddress, ulong kernelLength,
                                            ulong initrdAddress, ulong initrdLength,
                                            ReadOnlySpan<byte> commandLine, ulong pages)
            => Build(host, domainId, privileged, kernelAddress, kernelLength, initrdAddress, initrdLength, commandLine, pages, 1);

        /// <summary>As above, with <paramref name="vcpuCount"/> vCPUs: vCPU 0 starts the kernel; the others
        /// are down until the kernel initialises them (VCPUOP_initialise, VCPUOP_up), as under Xen.</summary>
        public static PvDomainBuilder Build(Host host, ushort domainId, bool privileged,
                                            ulong kernelAddress, ulong kernelLength,
                                            ulong initrdAddress, ulong initrdLength,
                                            ReadOnlySpan<byte> commandLine, ulong pages, int vcpuCount)
        {
            var builder = new PvDomainBuilder();
            builder.host = host;
            builder.memory = host.Memory;
            builder.Kernel = KernelImage.Inspect(host.Memory, kernelAddress, kernelLength);
            if (!builder.Kernel.IsValid)
                return builder.Fail(BuildProblem.BadKernelImage, 0);
            if (!PvLayout.TryCompute(builder.Kernel, initrdLength, !privileged, pages, out builder.Layout, out ulong needed))
                return builder.Fail(BuildProblem.MemoryTooSmall, needed);
            PvLayout layout = builder.Layout;
            if (layout.MappedEnd <= layout.VirtBase
                || (layout.VirtBase < AddressSpaceLayout.HypervisorVirtEnd && layout.MappedEnd > AddressSpaceLayout.HypervisorVirtStart)
                || !Canonical.IsCanonical(layout.MappedEnd - 1))
                return builder.Fail(BuildProblem.LayoutOutOfRange, layout.MappedEnd);
            if (layout.P2mOutsideRegion && !P2mPlacementOk(layout))
                return builder.Fail(BuildProblem.LayoutOutOfRange, layout.P2mMapEnd);

            if (host.Domains.Find(domainId) != null || domainId >= DomainList.Capacity)
                return builder.Fail(BuildProblem.DomainIdInUse, domainId);
            // The pages, the shared_info frame and the grant table's first: checked up front, so a refusal
            // leaves no frame taken.
            if (pages >= host.Frames.FreeFrames || host.Frames.FreeFrames - pages < 2)
                return builder.Fail(BuildProblem.OutOfMemory, pages);
            if (DomainCreation.Create(host, domainId, privileged, vcpuCount, vcpuCount, out Domain domain) != 0)
                return builder.Fail(BuildProblem.OutOfMemory, pages);
            builder.Domain = domain;
            if (!builder.AllocatePages(domain, pages))
            {
                DomainDestruction.Destroy(domain);
                return builder.Fail(BuildProblem.OutOfMemory, pages);
            }
            builder.LoadKernel(kernelAddress);
            builder.LoadInitrd(initrdAddress, initrdLength);
            builder.WritePhysToMachineList();
            builder.WriteStartInfo(commandLine, initrdLength);
            if (builder.Kernel.HypercallPage != 0)
                HypercallPage.Write(builder.memory, builder.MachineAddressOf(builder.Kernel.HypercallPage));
            ulong l4 = builder.WritePageTables();
            // The L4 is pinned (as Xen's builder does) and also held as vCPU 0's base pointer.
            int rc = host.FrameTable.Pin(domainId, l4 >> FrameAllocator.FrameShift, 4);
            if (rc == 0)
                rc = host.FrameTable.GetPageAndType(l4 >> FrameAllocator.FrameShift, PageType.L4, domainId);
            if (rc != 0)
            {
                DomainDestruction.Destroy(domain);
                return builder.Fail(BuildProblem.PageTablesRefused, (ulong)(-rc));
            }
            builder.PrepareFirstVcpu(l4);
            return builder;
        }

        // The list's pages must stay on one side of the canonical hole, out of the hypervisor's range,
        // and away from the bootstrap region (Xen refuses an overlap as well).
        private static bool P2mPlacementOk(PvLayout layout)
        {
            ulong start = layout.P2mMapStart, end = layout.P2mMapEnd;
            return end > start && Canonical.IsCanonical(end - 1) && (start >> 63) == ((end - 1) >> 63)
                && !(start < AddressSpaceLayout.HypervisorVirtEnd && end > AddressSpaceLayout.HypervisorVirtStart)
                && !(start < layout.MappedEnd && end > layout.VirtBase);
        }

        private bool AllocatePages(Domain domain, ulong pages)
        {
            p2m = new ulong[(int)pages];
            domain.PhysToMachine = p2m;
            for (ulong pfn = 0; pfn < pages; pfn++)
            {
                if (!host.Frames.TryAllocate(out ulong address))
                    return false;   // zeroed by the allocator
                ulong mfn = address >> FrameAllocator.FrameShift;
                host.FrameTable.Assign(mfn, domain.Id);
                host.MachineToPhys.Set(mfn, pfn);
                p2m[(int)pfn] = mfn;
                domain.TotalPages = pfn + 1;
            }
            domain.TotalPages = pages;
            domain.MaxPages = pages;
            return true;
        }

        private ulong MachineAddressOf(ulong virtualAddress)
        {
            return (p2m[(int)Layout.FrameOf(virtualAddress)] << FrameAllocator.FrameShift) | (virtualAddress & (PageSize - 1));
        }

        /// <summary>Copies [source, source + length) of physical memory to guest virtual memory of the
        /// bootstrap region, page by page through the P2M.</summary>
        private void CopyToGuest(ulong virtualAddress, ulong source, ulong length)
        {
            while (length > 0)
            {
                ulong inPage = PageSize - (virtualAddress & (PageSize - 1));
                ulong chunk = length < inPage ? length : inPage;
                memory.Copy(MachineAddressOf(virtualAddress), source, chunk);
                virtualAddress += chunk;
                source += chunk;
                length -= chunk;
            }
        }

        private void LoadKernel(ulong kernelAddress)
        {
            for (int i = 0; i < Kernel.SegmentCount; i++)
            {
                LoadSegment segment = Kernel.Segments[i];
                CopyToGuest(segment.VirtualStart, kernelAddress + segment.FileOffset, segment.FileSize);
            }
        }

        private void LoadInitrd(ulong address, ulong length)
        {
            if (length == 0)
                return;
            if (!Layout.InitrdUnmapped)
            {
                CopyToGuest(Layout.InitrdStart, address, length);
                return;
            }
            for (ulong done = 0; done < length; done += PageSize)
            {
                ulong chunk = length - done < PageSize ? length - done : PageSize;
                memory.Copy(p2m[(int)(Layout.InitrdStart + done / PageSize)] << FrameAllocator.FrameShift, address + done, chunk);
            }
        }

        private void WritePhysToMachineList()
        {
            for (ulong pfn = 0; pfn < (ulong)p2m.Length; pfn++)
                memory.Write64(P2mEntryAddress(pfn), p2m[(int)pfn]);
        }

        // Machine address of pfn's entry in the list: inside the region through the region's frames,
        // outside it through the list's own frames (after its tables).
        private ulong P2mEntryAddress(ulong pfn)
        {
            ulong va = Layout.P2mStart + pfn * 8;
            if (!Layout.P2mOutsideRegion)
                return MachineAddressOf(va);
            ulong page = (va - Layout.P2mMapStart) / PageSize;
            return (p2m[(int)(Layout.FirstP2mFrame + Layout.P2mTableFrames + page)] << FrameAllocator.FrameShift) | (va & (PageSize - 1));
        }

        private unsafe void WriteStartInfo(ReadOnlySpan<byte> commandLine, ulong initrdLength)
        {
            StartInfo info = default;
            string magic = StartInfo.Magic64;
            for (int i = 0; i < magic.Length; i++)
                info.Magic[i] = (byte)magic[i];
            info.NrPages = (ulong)p2m.Length;
            info.SharedInfo = Domain.SharedInfoAddress;
            info.Flags = Domain.IsPrivileged ? StartInfoFlags.Privileged | StartInfoFlags.InitDomain : 0;
            if (Layout.InitrdUnmapped)
                info.Flags |= StartInfoFlags.ModStartPfn;
            info.PtBase = Layout.PageTablesStart;
            info.NrPtFrames = Layout.PageTableFrames;
            info.MfnList = Layout.P2mStart;
            info.FirstP2mPfn = Layout.FirstP2mFrame;
            info.NrP2mFrames = Layout.P2mFrames;
            info.ModStart = initrdLength != 0 ? Layout.InitrdStart : 0;
            info.ModLen = initrdLength;
            int length = commandLine.Length < StartInfo.CmdLineLength - 1 ? commandLine.Length : StartInfo.CmdLineLength - 1;
            for (int i = 0; i < length; i++)
                info.CmdLine[i] = commandLine[i];
            memory.WriteBytes(MachineAddressOf(Layout.StartInfoStart), new ReadOnlySpan<byte>(&info, sizeof(StartInfo)));
        }

        /// <summary>Maps [VirtBase, MappedEnd) to pfns 0.. in order, page tables read-only, using the
        /// table frames of the layout in order; returns the L4's machine address. The frames go in
        /// Xen's dom0 order: the L4, then for each new L1 the L1 before the L2 and L3 it needs
        /// ([L4][L1][L2][L3][L1]...), which decides how many of them Linux can free at once.</summary>
        private ulong WritePageTables()
        {
            nextTable = Layout.PageTablesStart;
            ulong l4 = TakeTable();
            ulong tablesStart = Layout.PageTablesStart, tablesEnd = Layout.PageTablesEnd;
            for (ulong va = Layout.VirtBase; va < Layout.MappedEnd; va += PageSize)
            {
                ulong l1 = BottomUpL1(l4, va);
                ulong flags = va >= tablesStart && va < tablesEnd ? ReadOnlyFlags : DataFlags;
                memory.Write64(l1 + ((va >> 12) & 511) * 8, (p2m[(int)Layout.FrameOf(va)] << FrameAllocator.FrameShift) | flags);
            }
            if (Layout.P2mOutsideRegion)
                MapP2mList(l4);
            return l4;
        }

        // The list's pages, writable, at its own address; new tables come from the list's frames.
        // Xen maps the list with superpages where it can; 4 KiB pages suffice for the sizes dom0 gets
        // here and need nothing the frame table does not check anyway.
        private void MapP2mList(ulong l4)
        {
            takingP2mTables = true;
            nextP2mTable = Layout.FirstP2mFrame;
            ulong firstData = Layout.FirstP2mFrame + Layout.P2mTableFrames;
            for (ulong va = Layout.P2mMapStart, i = 0; va < Layout.P2mMapEnd; va += PageSize, i++)
            {
                ulong l3 = NextLevel(l4, (va >> 39) & 511);
                ulong l2 = NextLevel(l3, (va >> 30) & 511);
                ulong l1 = NextLevel(l2, (va >> 21) & 511);
                memory.Write64(l1 + ((va >> 12) & 511) * 8, (p2m[(int)(firstData + i)] << FrameAllocator.FrameShift) | DataFlags);
            }
            takingP2mTables = false;
        }

        // The L1 for va, taking missing tables L1 first, then L2, then L3.
        private ulong BottomUpL1(ulong l4, ulong va)
        {
            ulong l4Slot = l4 + ((va >> 39) & 511) * 8;
            ulong l3 = Present(memory.Read64(l4Slot));
            ulong l3Slot = l3 + ((va >> 30) & 511) * 8;
            ulong l2 = l3 != 0 ? Present(memory.Read64(l3Slot)) : 0;
            ulong l2Slot = l2 + ((va >> 21) & 511) * 8;
            ulong l1 = l2 != 0 ? Present(memory.Read64(l2Slot)) : 0;
            if (l1 != 0)
                return l1;
            l1 = TakeTable();
            if (l2 == 0)
            {
                l2 = TakeTable();
                if (l3 == 0)
                {
                    l3 = TakeTable();
                    memory.Write64(l4Slot, l3 | TableFlags);
                }
                l3Slot = l3 + ((va >> 30) & 511) * 8;
                memory.Write64(l3Slot, l2 | TableFlags);
            }
            memory.Write64(l2 + ((va >> 21) & 511) * 8, l1 | TableFlags);
            return l1;
        }

        private static ulong Present(ulong entry) => (entry & PageTableEntry.Present) != 0 ? entry & PageTableEntry.AddressMask : 0;

        private ulong NextLevel(ulong table, ulong index)
        {
            ulong slot = table + index * 8;
            ulong entry = memory.Read64(slot);
            if ((entry & PageTableEntry.Present) != 0)
                return entry & PageTableEntry.AddressMask;
            ulong next = TakeTable();
            memory.Write64(slot, next | TableFlags);
            return next;
        }

        private ulong TakeTable()
        {
            if (takingP2mTables)
                return p2m[(int)nextP2mTable++] << FrameAllocator.FrameShift;
            ulong machine = MachineAddressOf(nextTable);
            nextTable += PageSize;
            return machine;
        }

        private void PrepareFirstVcpu(ulong l4)
        {
            Vcpu vcpu = Domain.Vcpus[0];
            vcpu.KernelTableFrame = l4 >> FrameAllocator.FrameShift;
            vcpu.InKernelMode = true;
            vcpu.Registers.Rip = Kernel.Entry;
            vcpu.Registers.Rsp = Layout.StackEnd;
            vcpu.Registers.Rsi = Layout.StartInfoStart;
            vcpu.Registers.Cs = FlatSelector.KernelCs;
            vcpu.Registers.Ss = FlatSelector.Ring3Ss64;
            vcpu.Registers.Rflags = GuestRegisters.InterruptFlag | GuestRegisters.ReservedFlag;
        }

        private PvDomainBuilder Fail(BuildProblem problem, ulong value)
        {
            Problem = problem;
            ProblemValue = value;
            return this;
        }
    }
}
