using System;
using Hypervisor.Abi.Tests.Support;
using Xunit;

namespace Hypervisor.Abi.Tests
{
    /// <summary>Structures of xen.h (start of day, shared info, MMU requests, multicall).</summary>
    public class XenHeaderLayoutTests
    {
        public static TheoryData<string, Type, int> Sizes => new()
        {
            { "start_info", typeof(StartInfo), 1168 },
            { "xen_multiboot_mod_list", typeof(MultibootModule), 16 },
            { "dom0_vga_console_info", typeof(Dom0VgaConsoleInfo), 40 },
            { "shared_info", typeof(SharedInfo), 3136 },
            { "vcpu_info", typeof(VcpuInfo), 64 },
            { "vcpu_time_info", typeof(VcpuTimeInfo), 32 },
            { "mmu_update", typeof(MmuUpdate), 16 },
            { "mmuext_op", typeof(MmuextOp), 24 },
            { "multicall_entry", typeof(MulticallEntry), 64 },
        };

        public static TheoryData<string, Type, string, int> Offsets => new()
        {
            { "start_info.magic", typeof(StartInfo), nameof(StartInfo.Magic), 0 },
            { "start_info.nr_pages", typeof(StartInfo), nameof(StartInfo.NrPages), 32 },
            { "start_info.shared_info", typeof(StartInfo), nameof(StartInfo.SharedInfo), 40 },
            { "start_info.flags", typeof(StartInfo), nameof(StartInfo.Flags), 48 },
            { "start_info.store_mfn", typeof(StartInfo), nameof(StartInfo.StoreMfn), 56 },
            { "start_info.store_evtchn", typeof(StartInfo), nameof(StartInfo.StoreEvtchn), 64 },
            { "start_info.console.domU.mfn", typeof(StartInfo), nameof(StartInfo.ConsoleMfn), 72 },
            { "start_info.console.domU.evtchn", typeof(StartInfo), nameof(StartInfo.ConsoleEvtchn), 80 },
            { "start_info.console.dom0.info_off", typeof(StartInfo), nameof(StartInfo.Dom0ConsoleInfoOffset), 72 },
            { "start_info.console.dom0.info_size", typeof(StartInfo), nameof(StartInfo.Dom0ConsoleInfoSize), 76 },
            { "start_info.pt_base", typeof(StartInfo), nameof(StartInfo.PtBase), 88 },
            { "start_info.nr_pt_frames", typeof(StartInfo), nameof(StartInfo.NrPtFrames), 96 },
            { "start_info.mfn_list", typeof(StartInfo), nameof(StartInfo.MfnList), 104 },
            { "start_info.mod_start", typeof(StartInfo), nameof(StartInfo.ModStart), 112 },
            { "start_info.mod_len", typeof(StartInfo), nameof(StartInfo.ModLen), 120 },
            { "start_info.cmd_line", typeof(StartInfo), nameof(StartInfo.CmdLine), 128 },
            { "start_info.first_p2m_pfn", typeof(StartInfo), nameof(StartInfo.FirstP2mPfn), 1152 },
            { "start_info.nr_p2m_frames", typeof(StartInfo), nameof(StartInfo.NrP2mFrames), 1160 },

            { "xen_multiboot_mod_list.mod_start", typeof(MultibootModule), nameof(MultibootModule.ModStart), 0 },
            { "xen_multiboot_mod_list.mod_end", typeof(MultibootModule), nameof(MultibootModule.ModEnd), 4 },
            { "xen_multiboot_mod_list.cmdline", typeof(MultibootModule), nameof(MultibootModule.CmdLine), 8 },
            { "xen_multiboot_mod_list.pad", typeof(MultibootModule), nameof(MultibootModule.Pad), 12 },

            { "dom0_vga_console_info.video_type", typeof(Dom0VgaConsoleInfo), nameof(Dom0VgaConsoleInfo.VideoType), 0 },
            { "dom0_vga_console_info.u.text_mode_3.font_height", typeof(Dom0VgaConsoleInfo), nameof(Dom0VgaConsoleInfo.TextFontHeight), 4 },
            { "dom0_vga_console_info.u.text_mode_3.cursor_x", typeof(Dom0VgaConsoleInfo), nameof(Dom0VgaConsoleInfo.TextCursorX), 6 },
            { "dom0_vga_console_info.u.text_mode_3.cursor_y", typeof(Dom0VgaConsoleInfo), nameof(Dom0VgaConsoleInfo.TextCursorY), 8 },
            { "dom0_vga_console_info.u.text_mode_3.rows", typeof(Dom0VgaConsoleInfo), nameof(Dom0VgaConsoleInfo.TextRows), 10 },
            { "dom0_vga_console_info.u.text_mode_3.columns", typeof(Dom0VgaConsoleInfo), nameof(Dom0VgaConsoleInfo.TextColumns), 12 },
            { "dom0_vga_console_info.u.vesa_lfb.width", typeof(Dom0VgaConsoleInfo), nameof(Dom0VgaConsoleInfo.LfbWidth), 4 },
            { "dom0_vga_console_info.u.vesa_lfb.height", typeof(Dom0VgaConsoleInfo), nameof(Dom0VgaConsoleInfo.LfbHeight), 6 },
            { "dom0_vga_console_info.u.vesa_lfb.bytes_per_line", typeof(Dom0VgaConsoleInfo), nameof(Dom0VgaConsoleInfo.LfbBytesPerLine), 8 },
            { "dom0_vga_console_info.u.vesa_lfb.bits_per_pixel", typeof(Dom0VgaConsoleInfo), nameof(Dom0VgaConsoleInfo.LfbBitsPerPixel), 10 },
            { "dom0_vga_console_info.u.vesa_lfb.lfb_base", typeof(Dom0VgaConsoleInfo), nameof(Dom0VgaConsoleInfo.LfbBase), 12 },
            { "dom0_vga_console_info.u.vesa_lfb.lfb_size", typeof(Dom0VgaConsoleInfo), nameof(Dom0VgaConsoleInfo.LfbSize), 16 },
            { "dom0_vga_console_info.u.vesa_lfb.red_pos", typeof(Dom0VgaConsoleInfo), nameof(Dom0VgaConsoleInfo.RedPos), 20 },
            { "dom0_vga_console_info.u.vesa_lfb.red_size", typeof(Dom0VgaConsoleInfo), nameof(Dom0VgaConsoleInfo.RedSize), 21 },
            { "dom0_vga_console_info.u.vesa_lfb.green_pos", typeof(Dom0VgaConsoleInfo), nameof(Dom0VgaConsoleInfo.GreenPos), 22 },
            { "dom0_vga_console_info.u.vesa_lfb.green_size", typeof(Dom0VgaConsoleInfo), nameof(Dom0VgaConsoleInfo.GreenSize), 23 },
            { "dom0_vga_console_info.u.vesa_lfb.blue_pos", typeof(Dom0VgaConsoleInfo), nameof(Dom0VgaConsoleInfo.BluePos), 24 },
            { "dom0_vga_console_info.u.vesa_lfb.blue_size", typeof(Dom0VgaConsoleInfo), nameof(Dom0VgaConsoleInfo.BlueSize), 25 },
            { "dom0_vga_console_info.u.vesa_lfb.rsvd_pos", typeof(Dom0VgaConsoleInfo), nameof(Dom0VgaConsoleInfo.ReservedPos), 26 },
            { "dom0_vga_console_info.u.vesa_lfb.rsvd_size", typeof(Dom0VgaConsoleInfo), nameof(Dom0VgaConsoleInfo.ReservedSize), 27 },
            { "dom0_vga_console_info.u.vesa_lfb.gbl_caps", typeof(Dom0VgaConsoleInfo), nameof(Dom0VgaConsoleInfo.GlobalCaps), 28 },
            { "dom0_vga_console_info.u.vesa_lfb.mode_attrs", typeof(Dom0VgaConsoleInfo), nameof(Dom0VgaConsoleInfo.ModeAttributes), 32 },
            { "dom0_vga_console_info.u.vesa_lfb.pad", typeof(Dom0VgaConsoleInfo), nameof(Dom0VgaConsoleInfo.Pad), 34 },
            { "dom0_vga_console_info.u.vesa_lfb.ext_lfb_base", typeof(Dom0VgaConsoleInfo), nameof(Dom0VgaConsoleInfo.ExtLfbBase), 36 },

            { "shared_info.vcpu_info", typeof(SharedInfo), nameof(SharedInfo.VcpuInfoArea), 0 },
            { "shared_info.evtchn_pending", typeof(SharedInfo), nameof(SharedInfo.EvtchnPending), 2048 },
            { "shared_info.evtchn_mask", typeof(SharedInfo), nameof(SharedInfo.EvtchnMask), 2560 },
            { "shared_info.wc_version", typeof(SharedInfo), nameof(SharedInfo.WcVersion), 3072 },
            { "shared_info.wc_sec", typeof(SharedInfo), nameof(SharedInfo.WcSec), 3076 },
            { "shared_info.wc_nsec", typeof(SharedInfo), nameof(SharedInfo.WcNsec), 3080 },
            { "shared_info.wc_sec_hi", typeof(SharedInfo), nameof(SharedInfo.WcSecHi), 3084 },
            { "shared_info.arch", typeof(SharedInfo), nameof(SharedInfo.Arch), 3088 },

            { "vcpu_info.evtchn_upcall_pending", typeof(VcpuInfo), nameof(VcpuInfo.EvtchnUpcallPending), 0 },
            { "vcpu_info.evtchn_upcall_mask", typeof(VcpuInfo), nameof(VcpuInfo.EvtchnUpcallMask), 1 },
            { "vcpu_info.evtchn_pending_sel", typeof(VcpuInfo), nameof(VcpuInfo.EvtchnPendingSel), 8 },
            { "vcpu_info.arch", typeof(VcpuInfo), nameof(VcpuInfo.Arch), 16 },
            { "vcpu_info.time", typeof(VcpuInfo), nameof(VcpuInfo.Time), 32 },

            { "vcpu_time_info.version", typeof(VcpuTimeInfo), nameof(VcpuTimeInfo.Version), 0 },
            { "vcpu_time_info.pad0", typeof(VcpuTimeInfo), nameof(VcpuTimeInfo.Pad0), 4 },
            { "vcpu_time_info.tsc_timestamp", typeof(VcpuTimeInfo), nameof(VcpuTimeInfo.TscTimestamp), 8 },
            { "vcpu_time_info.system_time", typeof(VcpuTimeInfo), nameof(VcpuTimeInfo.SystemTime), 16 },
            { "vcpu_time_info.tsc_to_system_mul", typeof(VcpuTimeInfo), nameof(VcpuTimeInfo.TscToSystemMul), 24 },
            { "vcpu_time_info.tsc_shift", typeof(VcpuTimeInfo), nameof(VcpuTimeInfo.TscShift), 28 },
            { "vcpu_time_info.flags", typeof(VcpuTimeInfo), nameof(VcpuTimeInfo.Flags), 29 },
            { "vcpu_time_info.pad1", typeof(VcpuTimeInfo), nameof(VcpuTimeInfo.Pad1), 30 },

            { "mmu_update.ptr", typeof(MmuUpdate), nameof(MmuUpdate.Ptr), 0 },
            { "mmu_update.val", typeof(MmuUpdate), nameof(MmuUpdate.Val), 8 },

            { "mmuext_op.cmd", typeof(MmuextOp), nameof(MmuextOp.Cmd), 0 },
            { "mmuext_op.arg1.mfn", typeof(MmuextOp), nameof(MmuextOp.Mfn), 8 },
            { "mmuext_op.arg1.linear_addr", typeof(MmuextOp), nameof(MmuextOp.LinearAddr), 8 },
            { "mmuext_op.arg2.nr_ents", typeof(MmuextOp), nameof(MmuextOp.NrEnts), 16 },
            { "mmuext_op.arg2.vcpumask", typeof(MmuextOp), nameof(MmuextOp.VcpuMask), 16 },
            { "mmuext_op.arg2.src_mfn", typeof(MmuextOp), nameof(MmuextOp.SrcMfn), 16 },

            { "multicall_entry.op", typeof(MulticallEntry), nameof(MulticallEntry.Op), 0 },
            { "multicall_entry.result", typeof(MulticallEntry), nameof(MulticallEntry.Result), 8 },
            { "multicall_entry.args", typeof(MulticallEntry), nameof(MulticallEntry.Args), 16 },
        };

        [Theory]
        [MemberData(nameof(Sizes))]
        public void Size_matches_xen(string xenStruct, Type type, int xenSize)
        {
            _ = xenStruct;
            Layout.AssertSize(type, xenSize);
        }

        [Theory]
        [MemberData(nameof(Offsets))]
        public void Offset_matches_xen(string xenField, Type type, string field, int xenOffset)
        {
            _ = xenField;
            Layout.AssertOffset(type, field, xenOffset);
        }
    }
}
