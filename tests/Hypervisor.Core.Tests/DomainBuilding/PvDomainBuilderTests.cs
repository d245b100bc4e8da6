using System;
using System.Text;
using Hypervisor.Abi;
using Hypervisor.Core.DomainBuilding;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Memory;
using Hypervisor.Core.Tests.Support;
using Xunit;

namespace Hypervisor.Core.Tests.DomainBuilding
{
    public class PvDomainBuilderTests
    {
        private const ulong Page = 4096;

        private static byte[] StartInfoBytes(TestDomain t) => t.Read(t.Layout.StartInfoStart, StartInfo.Size);

        private static ulong U64(byte[] b, int offset) => BitConverter.ToUInt64(b, offset);

        // ---- start_info ----

        [Fact]
        public void StartInfo_DescribesTheDomain()
        {
            var t = TestDomain.Create();
            byte[] si = StartInfoBytes(t);
            PvLayout l = t.Layout;

            Assert.Equal("xen-3.0-x86_64", Encoding.ASCII.GetString(si, 0, 14));
            Assert.All(si[14..32], b => Assert.Equal(0, b));
            Assert.Equal(t.Options.Pages, U64(si, 32));                             // nr_pages
            Assert.Equal(t.Domain.SharedInfoAddress, U64(si, 40));                  // shared_info (machine)
            Assert.Equal(StartInfoFlags.Privileged | StartInfoFlags.InitDomain, BitConverter.ToUInt32(si, 48));
            Assert.Equal(l.PageTablesStart, U64(si, 88));                           // pt_base
            Assert.Equal(l.PageTableFrames, U64(si, 96));                           // nr_pt_frames
            Assert.Equal(l.P2mStart, U64(si, 104));                                 // mfn_list
            Assert.Equal(0UL, U64(si, 112));                                        // mod_start
            Assert.Equal(0UL, U64(si, 120));                                        // mod_len
            Assert.Equal("console=hvc0 loglevel=9", Encoding.ASCII.GetString(si, 128, 23));
            Assert.Equal(0, si[128 + 23]);
        }

        [Fact]
        public void StartInfo_UnprivilegedDomainHasNoFlags()
        {
            var t = TestDomain.Create(o => { o.Privileged = false; o.DomainId = 3; });
            byte[] si = StartInfoBytes(t);
            Assert.Equal(0u, BitConverter.ToUInt32(si, 48));
            Assert.False(t.Domain.IsPrivileged);
            Assert.Equal(3, t.Domain.Id);
            Assert.False(t.Domain.HasIoPortAccess);
        }

        [Fact]
        public void StartInfo_LongCommandLineIsCutAt1023BytesAndTerminated()
        {
            var line = new byte[2000];
            for (int i = 0; i < line.Length; i++)
            {
                line[i] = (byte)('a' + i % 26);
            }

            var t = TestDomain.Create(o => o.CommandLineBytes = line);
            byte[] si = StartInfoBytes(t);
            Assert.Equal(line[..1023], si[128..(128 + 1023)]);
            Assert.Equal(0, si[128 + 1023]);
        }

        [Fact]
        public void StartInfo_CommandLineOfExactly1023Bytes()
        {
            var line = Support.Ascii.Bytes(new string('x', 1023));
            var t = TestDomain.Create(o => o.CommandLineBytes = line);
            byte[] si = StartInfoBytes(t);
            Assert.Equal(line, si[128..(128 + 1023)]);
            Assert.Equal(0, si[128 + 1023]);
        }

        [Fact]
        public void StartInfo_EmptyCommandLine()
        {
            var t = TestDomain.Create(o => o.CommandLine = "");
            Assert.Equal(0, StartInfoBytes(t)[128]);
        }

        [Fact]
        public void Initrd_IsMappedAfterTheKernel_AndNamedInStartInfo()
        {
            byte[] initrd = PvKernelElfBuilder.Pattern(3 * 4096 + 123, 0x77);
            var t = TestDomain.Create(o => o.Initrd = initrd);
            byte[] si = StartInfoBytes(t);
            Assert.False(t.Layout.InitrdUnmapped);
            Assert.Equal(t.Layout.InitrdStart, U64(si, 112));
            Assert.Equal((ulong)initrd.Length, U64(si, 120));
            Assert.Equal(0u, BitConverter.ToUInt32(si, 48) & StartInfoFlags.ModStartPfn);
            Assert.Equal(initrd, t.Read(t.Layout.InitrdStart, initrd.Length));
        }

        [Fact]
        public void Initrd_ByFrameNumber_LiesInTheFramesAfterTheMappedRegion()
        {
            byte[] initrd = PvKernelElfBuilder.Pattern(2 * 4096 + 5, 0x33);
            var elf = PvKernelElfBuilder.Default().SetNumericNote(ElfNoteType.ModStartPfn, 1);
            var t = TestDomain.Create(o => { o.Kernel = elf; o.Initrd = initrd; });
            byte[] si = StartInfoBytes(t);
            PvLayout l = t.Layout;
            Assert.True(l.InitrdUnmapped);
            Assert.Equal(l.MappedPages, U64(si, 112));                              // a pfn
            Assert.Equal((ulong)initrd.Length, U64(si, 120));
            Assert.NotEqual(0u, BitConverter.ToUInt32(si, 48) & StartInfoFlags.ModStartPfn);
            for (int page = 0; page < 3; page++)
            {
                ulong mfn = t.Domain.PhysToMachine[(int)l.MappedPages + page];
                int length = Math.Min(4096, initrd.Length - page * 4096);
                var bytes = new byte[length];
                t.Memory.ReadBytes(mfn * Page, bytes);
                Assert.Equal(initrd.AsSpan(page * 4096, length).ToArray(), bytes);
            }

            // Not mapped: the first pfn after the mapped region has no virtual address.
            Assert.False(t.Host.PageWalk.TryTranslate(t.Vcpu.KernelTableFrame, l.MappedEnd, false, out _));
        }

        // ---- P2M and M2P ----

        [Fact]
        public void P2mList_EqualsPhysToMachine_AndM2pIsItsInverse()
        {
            var t = TestDomain.Create();
            ulong[] p2m = t.Domain.PhysToMachine;
            Assert.Equal((int)t.Options.Pages, p2m.Length);
            Assert.Equal(t.Options.Pages, t.Domain.TotalPages);
            Assert.Equal(t.Options.Pages, t.Domain.MaxPages);
            byte[] list = t.Read(t.Layout.P2mStart, p2m.Length * 8);
            for (int pfn = 0; pfn < p2m.Length; pfn++)
            {
                Assert.Equal(p2m[pfn], U64(list, pfn * 8));
                Assert.Equal((ulong)pfn, t.Host.MachineToPhys.Get(p2m[pfn]));
                Assert.Equal(t.Domain.Id, t.Host.FrameTable.OwnerOf(p2m[pfn]));
            }

            // The frames really are scattered: an identity slip would show.
            Assert.NotEqual(p2m[0] + 1, p2m[1]);
            Assert.Equal(p2m.Length, new System.Collections.Generic.HashSet<ulong>(p2m).Count);
        }

        [Fact]
        public void SharedInfo_IsADomainFrameOutsideTheP2m_ZeroedWithEveryVcpuMasked()
        {
            var t = TestDomain.Create();
            ulong mfn = t.Domain.SharedInfoAddress / Page;
            Assert.Equal(0UL, t.Domain.SharedInfoAddress % Page);
            Assert.Equal(t.Domain.Id, t.Host.FrameTable.OwnerOf(mfn));
            Assert.DoesNotContain(mfn, t.Domain.PhysToMachine);
            var bytes = new byte[4096];
            t.Memory.ReadBytes(t.Domain.SharedInfoAddress, bytes);
            for (int i = 0; i < SharedInfo.LegacyMaxVcpus; i++)
            {
                Assert.Equal(1, bytes[i * VcpuInfo.Size + 1]);  // every vcpu_info's evtchn_upcall_mask
                bytes[i * VcpuInfo.Size + 1] = 0;
            }

            Assert.All(bytes, b => Assert.Equal(0, b));         // no clock in tests: nothing else
        }

        // ---- Page tables ----

        [Fact]
        public void EveryMappedPage_ResolvesToItsFrame()
        {
            var t = TestDomain.Create();
            PvLayout l = t.Layout;
            ulong l4 = t.Vcpu.KernelTableFrame;
            for (ulong va = l.VirtBase; va < l.MappedEnd; va += Page)
            {
                ulong expected = t.Domain.PhysToMachine[(int)l.FrameOf(va)] * Page;
                Assert.True(t.Host.PageWalk.TryTranslate(l4, va + 0x10, false, out ulong machine), $"0x{va:x} unmapped");
                Assert.Equal(expected + 0x10, machine);
            }

            Assert.False(t.Host.PageWalk.TryTranslate(l4, l.MappedEnd, false, out _));
            Assert.False(t.Host.PageWalk.TryTranslate(l4, l.VirtBase - Page, false, out _));
        }

        [Fact]
        public void PageTables_AreMappedReadOnly_EverythingElseWritable()
        {
            var t = TestDomain.Create();
            PvLayout l = t.Layout;
            ulong l4 = t.Vcpu.KernelTableFrame;
            for (ulong va = l.VirtBase; va < l.MappedEnd; va += Page)
            {
                bool table = va >= l.PageTablesStart && va < l.PageTablesEnd;
                Assert.Equal(!table, t.Host.PageWalk.TryTranslate(l4, va, true, out _));
            }

            // And the guest sees its own tables where start_info says: the L4 is the first of them.
            Assert.Equal(l4 * Page, t.MachineAddressOf(l.PageTablesStart));
        }

        [Fact]
        public void PageTables_AreTypedAndTheL4IsPinned()
        {
            var t = TestDomain.Create();
            PvLayout l = t.Layout;
            FrameTable frames = t.Host.FrameTable;
            ulong l4 = t.Vcpu.KernelTableFrame;
            Assert.True(frames.IsPinned(l4));
            Assert.Equal(PageType.L4, frames.TypeOf(l4));
            Assert.True(frames.IsValidated(l4));

            int[] levels = new int[5];
            for (ulong va = l.PageTablesStart; va < l.PageTablesEnd; va += Page)
            {
                ulong mfn = t.Domain.PhysToMachine[(int)l.FrameOf(va)];
                PageType type = frames.TypeOf(mfn);
                Assert.InRange((int)type, 1, 4);
                levels[(int)type]++;
                Assert.Equal(mfn == l4, frames.IsPinned(mfn));
            }

            Assert.Equal(1, levels[4]);
            Assert.True(levels[1] >= 2 && levels[2] >= 1 && levels[3] >= 1);

            // Data pages mapped writable carry the Writable type; nothing else is pinned.
            ulong stack = t.Domain.PhysToMachine[(int)l.FrameOf(l.StackStart)];
            Assert.Equal(PageType.Writable, frames.TypeOf(stack));
        }

        [Fact]
        public void PageTables_ComeInXensDom0Order()
        {
            // [L4][L1][L2][L3][L1]...: Linux frees the tables it replaces only from either end of the
            // area, so the order decides how many it gets back (one on Xen).
            var t = TestDomain.Create();
            PvLayout l = t.Layout;
            var order = new System.Collections.Generic.List<PageType>();
            for (ulong va = l.PageTablesStart; va < l.PageTablesEnd; va += Page)
                order.Add(t.Host.FrameTable.TypeOf(t.Domain.PhysToMachine[(int)l.FrameOf(va)]));
            Assert.Equal(new[] { PageType.L4, PageType.L1, PageType.L2, PageType.L3 }, order.GetRange(0, 4));
            Assert.All(order.GetRange(4, order.Count - 4), type => Assert.Equal(PageType.L1, type));
            Assert.True(order.Count > 4);
        }

        [Fact]
        public void L4_GetsTheHypervisorSlots()
        {
            var t = TestDomain.Create();
            ulong l4 = t.Vcpu.KernelTableFrame * Page;
            Assert.Equal(t.Host.FrameTable.HypervisorSlot(256), t.Memory.Read64(l4 + 256 * 8));
            Assert.NotEqual(0UL, t.Memory.Read64(l4 + 256 * 8));                        // the M2P, read-only
            Assert.Equal(0UL, t.Memory.Read64(l4 + 256 * 8) & PageTableEntry.Writable);
            ulong slot262 = t.Memory.Read64(l4 + 262 * 8);
            Assert.Equal(t.Memory.Read64(t.TemplateL4Address + 262 * 8) & ~PageTableEntry.User, slot262);
        }

        // ---- Contents ----

        [Fact]
        public void KernelSegments_AreWhereTheElfSays_AndBssIsZero()
        {
            var t = TestDomain.Create();
            PvKernelElfBuilder elf = t.KernelElf;
            byte[] text = t.Read(PvKernelElfBuilder.VirtBase, elf.Text.Bytes.Length);
            Assert.Equal(elf.Text.Bytes.AsSpan(0, 0x1000).ToArray(), text[..0x1000]);
            Assert.Equal(elf.Text.Bytes.AsSpan(0x2000).ToArray(), text[0x2000..]);
            Assert.Equal(elf.Data.Bytes, t.Read(PvKernelElfBuilder.DataAddress, elf.Data.Bytes.Length));
            byte[] bss = t.Read(PvKernelElfBuilder.DataAddress + PvKernelElfBuilder.DataFileBytes, (int)PvKernelElfBuilder.BssBytes);
            Assert.All(bss, b => Assert.Equal(0, b));
        }

        [Fact]
        public void KernelSegments_UnalignedAndAcrossPages()
        {
            var elf = PvKernelElfBuilder.Default();
            byte[] odd = PvKernelElfBuilder.Pattern(0x2345, 0x99);
            ulong at = PvKernelElfBuilder.KernelEnd + 0x123;
            elf.AddSegment(at, odd, 0x3000);
            var t = TestDomain.Create(o => o.Kernel = elf);
            Assert.Equal(odd, t.Read(at, odd.Length));
            Assert.All(t.Read(at + (ulong)odd.Length, 0x3000 - odd.Length), b => Assert.Equal(0, b));
            Assert.All(t.Read(PvKernelElfBuilder.KernelEnd, 0x123), b => Assert.Equal(0, b));
        }

        [Fact]
        public void OtherMappedPages_AreZero()
        {
            var t = TestDomain.Create();
            PvLayout l = t.Layout;
            Assert.All(t.Read(l.StackStart, 4096), b => Assert.Equal(0, b));
            Assert.All(t.Read(l.StackEnd, 4096), b => Assert.Equal(0, b));
            Assert.All(t.Read(l.MappedEnd - 4096, 4096), b => Assert.Equal(0, b));
        }

        [Fact]
        public void HypercallPage_HoldsXensStubs()
        {
            var t = TestDomain.Create();
            byte[] page = t.Read(PvKernelElfBuilder.HypercallPageAddress, 4096);

            for (int nr = 0; nr < 128; nr++)
            {
                if (nr == HypercallNumber.Iret)
                {
                    continue;
                }

                var stub = page.AsSpan(nr * 32, 32).ToArray();
                byte[] code =
                {
                    0x51,                                   // push %rcx
                    0x41, 0x53,                             // push %r11
                    0xB8, (byte)nr, 0, 0, 0,                // mov $nr, %eax
                    0x0F, 0x05,                             // syscall
                    0x41, 0x5B,                             // pop %r11
                    0x59,                                   // pop %rcx
                    0xC3,                                   // ret
                };
                Assert.Equal(code, stub[..code.Length]);
                Assert.All(stub[code.Length..], b => Assert.Equal(0xCC, b));
            }

            var iret = page.AsSpan(HypercallNumber.Iret * 32, 32).ToArray();
            byte[] iretCode =
            {
                0x51,                                       // push %rcx
                0x41, 0x53,                                 // push %r11
                0x50,                                       // push %rax
                0xB8, 23, 0, 0, 0,                          // mov $23, %eax
                0x0F, 0x05,                                 // syscall
            };
            Assert.Equal(iretCode, iret[..iretCode.Length]);
            Assert.All(iret[iretCode.Length..], b => Assert.Equal(0xCC, b));
        }

        [Fact]
        public void NoHypercallPageNote_LeavesTheKernelBytesAlone()
        {
            var elf = PvKernelElfBuilder.Default().RemoveNote(ElfNoteType.HypercallPage);
            var t = TestDomain.Create(o => o.Kernel = elf);
            Assert.All(t.Read(PvKernelElfBuilder.HypercallPageAddress, 4096), b => Assert.Equal(0, b));
        }

        // ---- The first vCPU ----

        [Fact]
        public void FirstVcpu_StartsAtTheEntry_WithStartInfoAndStack()
        {
            var t = TestDomain.Create();
            GuestRegisters r = t.Vcpu.Registers;
            Assert.Equal(PvKernelElfBuilder.Entry, r.Rip);
            Assert.Equal(t.Layout.StackEnd, r.Rsp);
            Assert.Equal(t.Layout.StartInfoStart, r.Rsi);
            Assert.Equal(0xE033UL, r.Cs);
            Assert.Equal(0xE02BUL, r.Ss);
            Assert.NotEqual(0UL, r.Rflags & GuestRegisters.InterruptFlag);
            Assert.Equal(0UL, r.Rflags & GuestRegisters.IoplMask);
            Assert.True(t.Vcpu.InKernelMode);
            Assert.Equal(0UL, t.Vcpu.UserTableFrame);
            Assert.Single(t.Domain.Vcpus);
            Assert.Equal(DomainState.Created, t.Domain.State);
            Assert.True(t.Domain.HasIoPortAccess);
            // The registers pass the last check before the first iretq.
            Assert.True(ResumableState.Check(t.Vcpu));
        }

        [Fact]
        public void FirstVcpu_EventsMaskedInVcpuInfo0()
        {
            var t = TestDomain.Create();
            Assert.Equal(t.Domain.SharedInfoAddress, t.Vcpu.VcpuInfoAddress);
            Assert.Equal(1, t.UpcallMask);
            Assert.True(VcpuInfoAccess.IsUpcallMasked(t.Vcpu));
            Assert.False(VcpuInfoAccess.IsUpcallPending(t.Vcpu));
        }

        [Fact]
        public void FirstVcpu_HoldsTheL4AsItsBasePointer()
        {
            var t = TestDomain.Create();
            ulong l4 = t.Vcpu.KernelTableFrame;
            Assert.Equal(t.Domain.PhysToMachine[(int)t.Layout.FrameOf(t.Layout.PageTablesStart)], l4);
            // Pin + base pointer: unpinning leaves the table typed.
            Assert.Equal(0, t.Host.FrameTable.Unpin(t.Domain.Id, l4));
            Assert.Equal(PageType.L4, t.Host.FrameTable.TypeOf(l4));
            Assert.Equal(1u, t.Host.FrameTable.TypeCountOf(l4));
        }

        [Fact]
        public void BuildingUsesNoFramesBeyondTheDomainsPagesSharedInfoAndFirstGrantFrame()
        {
            var t = new TestDomain();
            ulong before = t.Frames.FreeFrames;
            Assert.True(t.Build().Succeeded);
            Assert.Equal(before - t.Options.Pages - 2, t.Frames.FreeFrames);
        }

        // ---- Refusals ----

        [Fact]
        public void BadKernelImage()
        {
            var elf = PvKernelElfBuilder.Default();
            elf.Machine = 3;
            var t = new TestDomain(new TestDomainOptions { Kernel = elf });
            ulong free = t.Frames.FreeFrames;
            PvDomainBuilder b = t.Build();
            Assert.False(b.Succeeded);
            Assert.Equal(BuildProblem.BadKernelImage, b.Problem);
            Assert.Equal(KernelImageProblem.NotX86_64, b.Kernel.Problem);
            Assert.Null(b.Domain);
            Assert.Equal(free, t.Frames.FreeFrames);
        }

        [Fact]
        public void MemoryTooSmall_GivesTheNeededPageCount()
        {
            var t = new TestDomain(new TestDomainOptions { Pages = 100 });
            ulong free = t.Frames.FreeFrames;
            PvDomainBuilder b = t.Build();
            Assert.Equal(BuildProblem.MemoryTooSmall, b.Problem);
            Assert.Equal(1024UL, b.ProblemValue);                 // the 4 MiB bootstrap region
            Assert.Null(b.Domain);
            Assert.Equal(free, t.Frames.FreeFrames);

            // And that many is enough.
            var again = new TestDomain(new TestDomainOptions { Pages = b.ProblemValue });
            Assert.True(again.Build().Succeeded);
        }

        [Fact]
        public void OutOfMemory_WhenTheHypervisorHasFewerFreeFrames()
        {
            var t = new TestDomain(new TestDomainOptions { Pages = 100_000 });
            ulong free = t.Frames.FreeFrames;
            PvDomainBuilder b = t.Build();
            Assert.Equal(BuildProblem.OutOfMemory, b.Problem);
            Assert.Equal(100_000UL, b.ProblemValue);
            Assert.Equal(free, t.Frames.FreeFrames);
        }

        [Fact]
        public void OutOfMemory_WhenThePagesLeaveNoFrameForSharedInfoAndGrantTable_WithoutLeakingFrames()
        {
            var probe = new TestDomain();
            ulong free = probe.Frames.FreeFrames;

            var t = new TestDomain(new TestDomainOptions { Pages = free - 1 });
            PvDomainBuilder b = t.Build();
            Assert.Equal(BuildProblem.OutOfMemory, b.Problem);
            Assert.Equal(free, t.Frames.FreeFrames);

            // Two pages fewer (shared_info, the grant table's first frame) fit exactly.
            t = new TestDomain(new TestDomainOptions { Pages = free - 2 });
            Assert.True(t.Build().Succeeded);
            Assert.Equal(0UL, t.Frames.FreeFrames);
        }

        [Fact]
        public void LayoutOutOfRange_WhenTheRegionWouldRunIntoTheCanonicalHole()
        {
            // The last 256 KiB of the lower half: the kernel fits, its padding does not.
            ulong virtBase = 0x0000_7FFF_FFFC_0000UL;
            var elf = PvKernelElfBuilder.Default();
            elf.SetNumericNote(ElfNoteType.VirtBase, virtBase);
            elf.SetNumericNote(ElfNoteType.Entry, virtBase);
            elf.SetNumericNote(ElfNoteType.HypercallPage, virtBase + 0x1000);
            var t = new TestDomain(new TestDomainOptions { Kernel = elf });
            PvDomainBuilder b = t.Build();
            Assert.Equal(BuildProblem.LayoutOutOfRange, b.Problem);
            Assert.Equal(0x0000_8000_0040_0000UL, b.ProblemValue);
        }

        [Fact]
        public void LayoutOutOfRange_WhenTheRegionWouldWrapAroundTheTop()
        {
            ulong virtBase = 0xFFFF_FFFF_FFC0_0000UL;
            var elf = PvKernelElfBuilder.Default();
            elf.SetNumericNote(ElfNoteType.VirtBase, virtBase);
            elf.SetNumericNote(ElfNoteType.Entry, virtBase);
            elf.SetNumericNote(ElfNoteType.HypercallPage, virtBase + 0x1000);
            var t = new TestDomain(new TestDomainOptions { Kernel = elf });
            Assert.Equal(BuildProblem.LayoutOutOfRange, t.Build().Problem);
        }

        [Fact]
        public void KernelRightAboveTheHypervisorRange_Builds()
        {
            // The kernel ends below 0xffff800000000000 only by being in the lower half; from the
            // upper half the first address past the range is fine.
            ulong virtBase = 0xFFFF_8800_0000_0000UL;
            var elf = PvKernelElfBuilder.Default();
            elf.SetNumericNote(ElfNoteType.VirtBase, virtBase);
            elf.SetNumericNote(ElfNoteType.Entry, virtBase);
            elf.SetNumericNote(ElfNoteType.HypercallPage, virtBase + 0x1000);
            var t = new TestDomain(new TestDomainOptions { Kernel = elf });
            Assert.True(t.Build().Succeeded);
            Assert.True(t.Host.PageWalk.TryTranslate(t.Vcpu.KernelTableFrame, virtBase, false, out _));
        }
    }
}
