using System;
using System.Runtime.InteropServices;
using System.Text;
using Hypervisor.Core.DomainBuilding;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Hypercalls;
using Hypervisor.Core.Memory;
using Hypervisor.Core.Text;
using Moq;
using Xunit;

namespace Hypervisor.Core.Tests.Support
{
    /// <summary>What <see cref="TestDomain"/> builds.</summary>
    public sealed class TestDomainOptions
    {
        /// <summary>The kernel (null: <see cref="PvKernelElfBuilder.Default"/>).</summary>
        public PvKernelElfBuilder Kernel { get; set; }

        /// <summary>Pages given to the domain (16 MiB by default).</summary>
        public ulong Pages { get; set; } = 4096;
        /// <summary>vCPUs of the domain (vCPU 0 starts the kernel; the others are down).</summary>
        public int Vcpus { get; set; } = 1;

        public bool Privileged { get; set; } = true;

        public ushort DomainId { get; set; }

        public string CommandLine { get; set; } = "console=hvc0 loglevel=9";

        /// <summary>Raw command-line bytes (wins over <see cref="CommandLine"/> when set).</summary>
        public byte[] CommandLineBytes { get; set; }

        /// <summary>The initrd module's bytes (null: no initrd).</summary>
        public byte[] Initrd { get; set; }

        /// <summary>Size of the fake machine's RAM, all of it one usable region at physical 0.</summary>
        public ulong MachineBytes { get; set; } = 64UL << 20;

        /// <summary>Reserve every other frame of the allocatable RAM before building, so the domain's
        /// machine frames are not contiguous and an identity pfn/mfn mix-up shows.</summary>
        public bool ScatterFrames { get; set; } = true;
    }

    /// <summary>
    /// A real PV domain over fake hardware, built the way arch/x86_64/Guests/DomainZero.cs builds dom0:
    /// a <see cref="FakeMemory"/> machine at physical 0, a memory map and frame allocator over it (first
    /// MiB and the boot modules reserved), the frame table, the M2P with its guest mapping, the
    /// hypervisor's L4 slots from a fake template L4, the guest page walk, a <see cref="Host"/> whose
    /// platform is a <see cref="Mock{HostPlatform}"/>, and the kernel ELF from
    /// <see cref="PvKernelElfBuilder"/> loaded as a boot module. <see cref="Create"/> builds the domain
    /// and asserts that the build succeeded; <c>new TestDomain(options)</c> then <see cref="Build"/>
    /// lets a test look at a failed build.
    /// </summary>
    public sealed unsafe class TestDomain
    {
        public const ulong PageSize = 4096;
        /// <summary>Physical address of the kernel module (the initrd follows it, page-aligned).</summary>
        public const ulong KernelModuleAddress = 0x10_0000;

        public TestDomain(TestDomainOptions options = null)
        {
            Options = options ?? new TestDomainOptions();
            KernelElf = Options.Kernel ?? PvKernelElfBuilder.Default();
            KernelBytes = KernelElf.Build();

            Memory = new FakeMemory().Map(0, checked((int)Options.MachineBytes));
            Assert.Equal(MemoryMapStatus.Ok, MemoryMap.Build(new[] { new MemoryRegion(0, Options.MachineBytes, MemoryKind.Usable) }, null, out MemoryMap map));
            Map = map;
            Frames = new FrameAllocator(map);
            Frames.Reserve(0, 0x10_0000);

            // The boot modules, as the boot loader leaves them.
            KernelAddress = KernelModuleAddress;
            Memory.WriteBytes(KernelAddress, KernelBytes);
            Frames.Reserve(KernelAddress, (ulong)Math.Max(KernelBytes.Length, 1));
            InitrdAddress = RoundUp(KernelAddress + (ulong)KernelBytes.Length, PageSize);
            if (Options.Initrd != null)
            {
                Memory.WriteBytes(InitrdAddress, Options.Initrd);
                Frames.Reserve(InitrdAddress, (ulong)Math.Max(Options.Initrd.Length, 1));
            }

            (LogWriter log, CapturingSink sink) = CapturingSink.NewLog();
            Console = sink;
            Platform = new Mock<HostPlatform>();
            Host = new Host(Memory, Frames, log, Platform.Object);

            // As DomainZero.CreateHost: frame table over all RAM, M2P, its guest mapping, hypervisor slots.
            ulong frameCount = map.HighestUsableAddress / PageSize;
            Host.FrameTable = new FrameTable(Memory, frameCount);
            ulong m2pFrames = (frameCount * 8 + PageSize - 1) / PageSize;
            Assert.True(Frames.TryAllocateContiguous(m2pFrames, 1, out ulong m2pBase));
            Host.MachineToPhys = new MachineToPhys(Memory, m2pBase, frameCount);
            Host.MachineToPhys.InvalidateAll();
            Assert.True(Host.MachineToPhys.TryBuildGuestMapping(Frames, out ulong m2pEntry));
            Assert.True(Frames.TryAllocate(out ulong template));
            Memory.Fill(template, PageSize, 0);
            Assert.True(Frames.TryAllocate(out ulong hypervisorL3));
            Memory.Fill(hypervisorL3, PageSize, 0);
            // A direct-map style entry in slot 262, like the hypervisor's own root has.
            Memory.Write64(template + 262 * 8, hypervisorL3 | PageTableEntry.Present | PageTableEntry.Writable);
            TemplateL4Address = template;
            Host.FrameTable.SetHypervisorSlots(template, m2pEntry);
            Host.PageWalk = new GuestPageWalk(Memory, Host.FrameTable);

            if (Options.ScatterFrames)
            {
                // Take every other free frame away; the domain gets the ones between.
                ulong free = Frames.FreeFrames;
                var taken = new System.Collections.Generic.List<ulong>();
                for (ulong i = 0; i < free; i++)
                {
                    if (!Frames.TryAllocate(out ulong frame))
                    {
                        break;
                    }

                    if ((frame / PageSize) % 2 == 1)
                    {
                        taken.Add(frame);
                    }
                    else
                    {
                        Frames.Reserve(frame, PageSize);
                    }
                }

                foreach (ulong frame in taken)
                {
                    Assert.True(Frames.Free(frame));
                }
            }
        }

        public TestDomainOptions Options { get; }
        public PvKernelElfBuilder KernelElf { get; }
        public byte[] KernelBytes { get; }
        public FakeMemory Memory { get; }
        public MemoryMap Map { get; }
        public FrameAllocator Frames { get; }
        public Mock<HostPlatform> Platform { get; }
        public Host Host { get; }
        /// <summary>Everything the host logged and every console_io line.</summary>
        public CapturingSink Console { get; }
        public ulong KernelAddress { get; }
        public ulong InitrdAddress { get; }
        public ulong TemplateL4Address { get; }

        /// <summary>The last build (null before <see cref="Build"/>).</summary>
        public PvDomainBuilder Builder { get; private set; }
        public Domain Domain => Builder?.Domain;
        /// <summary>vCPU 0 of the domain.</summary>
        public Vcpu Vcpu => Builder?.Domain?.Vcpus[0];
        public PvLayout Layout => Builder.Layout;
        public KernelImage Kernel => Builder.Kernel;

        /// <summary>The console output as text.</summary>
        public string ConsoleText => Console.Text;

        /// <summary>A built domain; fails the test if the build did not succeed.</summary>
        public static TestDomain Create(TestDomainOptions options = null)
        {
            var t = new TestDomain(options);
            PvDomainBuilder b = t.Build();
            Assert.True(b.Succeeded, $"build failed: {b.Problem} ({b.ProblemValue}), kernel {b.Kernel?.Problem}");
            return t;
        }

        public static TestDomain Create(Action<TestDomainOptions> configure)
        {
            var options = new TestDomainOptions();
            configure(options);
            return Create(options);
        }

        /// <summary>Runs the domain builder with the options (may fail: look at the result).</summary>
        public PvDomainBuilder Build()
        {
            byte[] commandLine = Options.CommandLineBytes ?? Encoding.ASCII.GetBytes(Options.CommandLine ?? "");
            ulong initrdLength = Options.Initrd == null ? 0 : (ulong)Options.Initrd.Length;
            Builder = PvDomainBuilder.Build(Host, Options.DomainId, Options.Privileged, KernelAddress, (ulong)KernelBytes.Length,
                                            Options.Initrd == null ? 0 : InitrdAddress, initrdLength, commandLine, Options.Pages, Options.Vcpus);
            return Builder;
        }

        // ---- Guest memory, through the vCPU's current page tables (as a hypercall sees it) ----

        /// <summary>Mapped, writable, unused guest memory for hypercall arguments: the padding after the
        /// bootstrap stack (at least 512 KiB up to <see cref="PvLayout.MappedEnd"/>).</summary>
        public ulong Scratch => Layout.StackEnd;

        /// <summary>A canonical guest address with nothing mapped (below the kernel, in the lower half).</summary>
        public const ulong UnmappedAddress = 0x0000_1234_5000_0000UL;

        public void Write(ulong va, byte[] bytes) =>
            Assert.True(GuestMemory.TryWrite(Vcpu, va, bytes), $"guest write at 0x{va:x} failed");

        public byte[] Read(ulong va, int length)
        {
            var bytes = new byte[length];
            Assert.True(GuestMemory.TryRead(Vcpu, va, bytes), $"guest read at 0x{va:x} failed");
            return bytes;
        }

        public void Write64(ulong va, ulong value) => Write(va, BitConverter.GetBytes(value));

        public ulong Read64(ulong va) => BitConverter.ToUInt64(Read(va, 8), 0);

        /// <summary>Writes ASCII text (no terminator unless the string has one).</summary>
        public void WriteText(ulong va, string text) => Write(va, Encoding.ASCII.GetBytes(text));

        /// <summary>Reads a NUL-terminated string of at most <paramref name="max"/> bytes.</summary>
        public string ReadCString(ulong va, int max = 1024)
        {
            byte[] bytes = Read(va, max);
            int n = Array.IndexOf(bytes, (byte)0);
            return Encoding.ASCII.GetString(bytes, 0, n < 0 ? max : n);
        }

        public void WriteStruct<T>(ulong va, T value) where T : unmanaged =>
            Assert.True(GuestMemory.TryWrite(Vcpu, va, in value), $"guest write of {typeof(T).Name} at 0x{va:x} failed");

        public T ReadStruct<T>(ulong va) where T : unmanaged
        {
            Assert.True(GuestMemory.TryRead(Vcpu, va, out T value), $"guest read of {typeof(T).Name} at 0x{va:x} failed");
            return value;
        }

        /// <summary>The machine address behind a guest virtual address (kernel tables).</summary>
        public ulong MachineAddressOf(ulong va)
        {
            Assert.True(Host.PageWalk.TryTranslate(Vcpu.KernelTableFrame, va, false, out ulong machine), $"0x{va:x} is not mapped");
            return machine;
        }

        // ---- vcpu_info ----

        public byte UpcallMask => Memory.Read8(Vcpu.VcpuInfoAddress + 1);

        public ulong Cr2 => Memory.Read64(Vcpu.VcpuInfoAddress + 16);

        public void SetUpcallMask(byte value) => Memory.Write8(Vcpu.VcpuInfoAddress + 1, value);

        // ---- Hypercalls ----

        /// <summary>Calls hypercall <paramref name="number"/> as multicall would (no registers touched).</summary>
        public long Hypercall(ulong number, ulong a1 = 0, ulong a2 = 0, ulong a3 = 0, ulong a4 = 0, ulong a5 = 0)
        {
            var args = new HypercallArguments(a1, a2, a3, a4, a5);
            return HypercallDispatcher.Invoke(Vcpu, number, in args);
        }

        /// <summary>Makes the hypercall as the guest does: RAX and the argument registers set, then a
        /// SYSCALL exit from guest kernel mode through <see cref="GuestTrapHandler.Handle"/>; returns RAX.</summary>
        public long SyscallHypercall(ulong number, ulong a1 = 0, ulong a2 = 0, ulong a3 = 0, ulong a4 = 0, ulong a5 = 0)
        {
            ref GuestRegisters r = ref Vcpu.Registers;
            r.Rax = number;
            r.Rdi = a1;
            r.Rsi = a2;
            r.Rdx = a3;
            r.R10 = a4;
            r.R8 = a5;
            r.Vector = GuestRegisters.SyscallVector;
            GuestTrapHandler.Handle(Vcpu, 0);
            return (long)r.Rax;
        }

        // ---- Modes ----

        /// <summary>Switches the vCPU to guest user mode with a user top-level table: the given frame, or
        /// by default the kernel's own L4 (so guest memory reads the same in both modes).</summary>
        public void EnterUserMode(ulong userTableFrame = 0)
        {
            Vcpu.UserTableFrame = userTableFrame != 0 ? userTableFrame : Vcpu.KernelTableFrame;
            GuestMode.EnterUser(Vcpu);
        }

        /// <summary>Kernel-mode register state at a mapped RIP/RSP, as after a few instructions.</summary>
        public void SetKernelRegisters(ulong rip, ulong rsp)
        {
            ref GuestRegisters r = ref Vcpu.Registers;
            r.Rip = rip;
            r.Rsp = rsp;
            r.Cs = Hypervisor.Abi.FlatSelector.KernelCs;
            r.Ss = Hypervisor.Abi.FlatSelector.KernelSs;
            r.Rflags = GuestRegisters.InterruptFlag | GuestRegisters.ReservedFlag;
        }

        public static ulong RoundUp(ulong value, ulong alignment) => (value + alignment - 1) & ~(alignment - 1);

        /// <summary>Size of an unmanaged struct, for offsets in tests.</summary>
        public static int SizeOf<T>() where T : unmanaged => sizeof(T);

        /// <summary>Struct bytes, for tests that write raw guest memory.</summary>
        public static byte[] BytesOf<T>(T value) where T : unmanaged
        {
            var bytes = new byte[sizeof(T)];
            MemoryMarshal.Write(bytes, in value);
            return bytes;
        }
    }
}
