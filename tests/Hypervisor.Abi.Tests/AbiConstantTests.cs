using System.Text;
using Xunit;

namespace Hypervisor.Abi.Tests
{
    /// <summary>Key numbers of the ABI, checked against Xen 4.17's headers and the team's ABI notes.</summary>
    public class AbiConstantTests
    {
        public static TheoryData<string, int, int> Hypercalls => new()
        {
            { "set_trap_table", 0, HypercallNumber.SetTrapTable },
            { "mmu_update", 1, HypercallNumber.MmuUpdate },
            { "set_gdt", 2, HypercallNumber.SetGdt },
            { "stack_switch", 3, HypercallNumber.StackSwitch },
            { "set_callbacks", 4, HypercallNumber.SetCallbacks },
            { "fpu_taskswitch", 5, HypercallNumber.FpuTaskswitch },
            { "sched_op_compat", 6, HypercallNumber.SchedOpCompat },
            { "platform_op", 7, HypercallNumber.PlatformOp },
            { "set_debugreg", 8, HypercallNumber.SetDebugreg },
            { "get_debugreg", 9, HypercallNumber.GetDebugreg },
            { "update_descriptor", 10, HypercallNumber.UpdateDescriptor },
            { "memory_op", 12, HypercallNumber.MemoryOp },
            { "multicall", 13, HypercallNumber.Multicall },
            { "update_va_mapping", 14, HypercallNumber.UpdateVaMapping },
            { "set_timer_op", 15, HypercallNumber.SetTimerOp },
            { "event_channel_op_compat", 16, HypercallNumber.EventChannelOpCompat },
            { "xen_version", 17, HypercallNumber.XenVersion },
            { "console_io", 18, HypercallNumber.ConsoleIo },
            { "physdev_op_compat", 19, HypercallNumber.PhysdevOpCompat },
            { "grant_table_op", 20, HypercallNumber.GrantTableOp },
            { "vm_assist", 21, HypercallNumber.VmAssist },
            { "update_va_mapping_otherdomain", 22, HypercallNumber.UpdateVaMappingOtherdomain },
            { "iret", 23, HypercallNumber.Iret },
            { "vcpu_op", 24, HypercallNumber.VcpuOp },
            { "set_segment_base", 25, HypercallNumber.SetSegmentBase },
            { "mmuext_op", 26, HypercallNumber.MmuextOp },
            { "xsm_op", 27, HypercallNumber.XsmOp },
            { "nmi_op", 28, HypercallNumber.NmiOp },
            { "sched_op", 29, HypercallNumber.SchedOp },
            { "callback_op", 30, HypercallNumber.CallbackOp },
            { "xenoprof_op", 31, HypercallNumber.XenoprofOp },
            { "event_channel_op", 32, HypercallNumber.EventChannelOp },
            { "physdev_op", 33, HypercallNumber.PhysdevOp },
            { "hvm_op", 34, HypercallNumber.HvmOp },
            { "sysctl", 35, HypercallNumber.Sysctl },
            { "domctl", 36, HypercallNumber.Domctl },
            { "kexec_op", 37, HypercallNumber.Kexec },
            { "tmem_op", 38, HypercallNumber.TmemOp },
            { "argo_op", 39, HypercallNumber.ArgoOp },
            { "xenpmu_op", 40, HypercallNumber.XenpmuOp },
            { "dm_op", 41, HypercallNumber.DmOp },
            { "hypfs_op", 42, HypercallNumber.HypfsOp },
            { "arch_0", 48, HypercallNumber.Arch0 },
        };

        [Theory]
        [MemberData(nameof(Hypercalls))]
        public void Hypercall_number_matches_xen(string xenName, int xenNumber, int ours)
        {
            _ = xenName;
            Assert.Equal(xenNumber, ours);
        }

        [Fact]
        public void Start_info_magic_is_the_64_bit_pv_one()
        {
            Assert.Equal("xen-3.0-x86_64", StartInfo.Magic64);
            Assert.StartsWith("xen-3.0-", StartInfo.Magic64);
            Assert.True(Encoding.ASCII.GetByteCount(StartInfo.Magic64) < StartInfo.MagicLength);
            Assert.Equal(32, StartInfo.MagicLength);
            Assert.Equal(1024, StartInfo.CmdLineLength);
            Assert.Equal(1u, StartInfoFlags.Privileged);
            Assert.Equal(2u, StartInfoFlags.InitDomain);
            Assert.Equal(8u, StartInfoFlags.ModStartPfn);
        }

        [Fact]
        public void Hypervisor_hole_and_m2p_sit_at_xens_addresses()
        {
            Assert.Equal(0xFFFF800000000000ul, AddressSpaceLayout.HypervisorVirtStart);
            Assert.Equal(0xFFFF880000000000ul, AddressSpaceLayout.HypervisorVirtEnd);
            Assert.Equal(0xFFFF800000000000ul, AddressSpaceLayout.MachToPhysVirtStart);
            Assert.Equal(0xFFFF804000000000ul, AddressSpaceLayout.MachToPhysVirtEnd);
            Assert.Equal(1ul << 35, AddressSpaceLayout.MachToPhysNrEntries);
            Assert.Equal(0x5000ul, AddressSpaceLayout.PfnToCr3(5));
            Assert.Equal(5ul, AddressSpaceLayout.Cr3ToPfn(0x5000));
        }

        [Fact]
        public void Flat_selectors_are_the_ring_3_ones()
        {
            Assert.Equal(0xe033, FlatSelector.KernelCs);
            Assert.Equal(0xe033, FlatSelector.UserCs);
            Assert.Equal(0xe02b, FlatSelector.KernelSs);
            Assert.Equal(0xe02b, FlatSelector.UserDs32);
            Assert.Equal(0xe023, FlatSelector.UserCs32);
            Assert.Equal(0, FlatSelector.KernelDs);
            Assert.Equal(7168, DescriptorTables.FirstReservedGdtEntry);
        }

        [Fact]
        public void Trap_and_iret_flags_match_xen()
        {
            Assert.Equal(3, TrapInfoFlags.PrivilegeLevelMask);
            Assert.Equal(4, TrapInfoFlags.DisableEvents);
            Assert.Equal(0x100ul, IretFlags.InSyscall);
            Assert.Equal(3, SegmentBase.GsUserSelector);
            Assert.Equal(0x6e65780b0ful, ForcedEmulation.PrefixLittleEndian);
        }

        [Fact]
        public void Sched_and_console_numbers_match_xen()
        {
            Assert.Equal(0, SchedOp.Yield);
            Assert.Equal(1, SchedOp.Block);
            Assert.Equal(2, SchedOp.Shutdown);
            Assert.Equal(3, SchedOp.Poll);
            Assert.Equal(7, SchedOp.PinOverride);
            Assert.Equal(0u, ShutdownReason.Poweroff);
            Assert.Equal(3u, ShutdownReason.Crash);
            Assert.Equal(5u, ShutdownReason.SoftReset);
            Assert.Equal(0, ConsoleIoCommand.Write);
            Assert.Equal(1, ConsoleIoCommand.Read);
        }

        [Fact]
        public void Elf_note_types_match_xen()
        {
            Assert.Equal(1u, ElfNoteType.Entry);
            Assert.Equal(2u, ElfNoteType.HypercallPage);
            Assert.Equal(3u, ElfNoteType.VirtBase);
            Assert.Equal(10u, ElfNoteType.Features);
            Assert.Equal(17u, ElfNoteType.SupportedFeatures);
            Assert.Equal(18u, ElfNoteType.Max);
            Assert.Equal(0x2000003u, ElfNoteType.DumpcoreFormatVersion);
            Assert.Equal("Xen", ElfNoteType.OwnerName);
        }

        [Fact]
        public void Event_channel_and_grant_ops_match_the_notes()
        {
            Assert.Equal(0, EventChannelOp.BindInterdomain);
            Assert.Equal(4, EventChannelOp.Send);
            Assert.Equal(6, EventChannelOp.AllocUnbound);
            Assert.Equal(10, EventChannelOp.Reset);
            Assert.Equal(13, EventChannelOp.SetPriority);
            Assert.Equal(14, EventChannelOp.ResetCont);
            Assert.Equal(4096, EventChannelOp.NrChannels2Level);
            Assert.Equal(0, GrantTableOp.MapGrantRef);
            Assert.Equal(6, GrantTableOp.QuerySize);
            Assert.Equal(8, GrantTableOp.SetVersion);
            Assert.Equal(12, GrantTableOp.CacheFlush);
            Assert.Equal(8u, GrantRef.NrReservedEntries);
            Assert.Equal((short)-13, GrantStatus.NoSpace);
        }

        [Fact]
        public void Domain_ids_and_virqs_match_xen()
        {
            Assert.Equal(0x7FF0, DomainId.Self);
            Assert.Equal(0x7FF2, DomainId.Xen);
            Assert.Equal(0x7FF4, DomainId.Invalid);
            Assert.Equal(0u, Virq.Timer);
            Assert.Equal(24u, Virq.Count);
        }

        [Fact]
        public void Memory_op_keeps_its_restart_extent_above_six_command_bits()
        {
            Assert.Equal(6, MemoryOp.ExtentShift);
            Assert.Equal(0x3Ful, MemoryOp.CommandMask);
            ulong cmd = MemoryOp.EncodeContinuation(MemoryOp.PopulatePhysmap, 5);
            Assert.Equal((ulong)MemoryOp.PopulatePhysmap, cmd & MemoryOp.CommandMask);
            Assert.Equal(5ul, cmd >> MemoryOp.ExtentShift);
            Assert.Equal(0x300u, XenMemoryFlags.Node(2));
            Assert.Equal(28, MemoryOp.AcquireResource);
        }

        [Fact]
        public void Version_and_features_match_xen()
        {
            Assert.Equal(10, XenVersionCommand.BuildId);
            Assert.Equal((4 << 16) | 17, XenVersionCommand.Encode(4, 17));
            Assert.Equal(11, XenFeature.Dom0);
            Assert.Equal(17, XenFeature.DirectMapped);
            Assert.Equal(5, VcpuOp.RegisterRunstateMemoryArea);
            Assert.Equal(10, VcpuOp.RegisterVcpuInfo);
            Assert.Equal(7, CallbackType.Syscall32);
            Assert.Equal(6, PhysdevOp.SetIopl);
            Assert.Equal(7, PhysdevOp.SetIobitmap);
        }
    }
}
