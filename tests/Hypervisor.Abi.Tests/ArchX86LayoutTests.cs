using System;
using Hypervisor.Abi.Tests.Support;
using Xunit;

namespace Hypervisor.Abi.Tests
{
    /// <summary>Structures of arch-x86/xen.h and arch-x86/xen-x86_64.h (64-bit layouts).</summary>
    public class ArchX86LayoutTests
    {
        public static TheoryData<string, Type, int> Sizes => new()
        {
            { "trap_info", typeof(TrapInfo), 16 },
            { "iret_context", typeof(IretContext), 72 },
            { "cpu_user_regs", typeof(CpuUserRegs), 200 },
            { "vcpu_guest_context", typeof(VcpuGuestContext), 5168 },
            { "arch_vcpu_info", typeof(ArchVcpuInfo), 16 },
            { "arch_shared_info", typeof(ArchSharedInfo), 48 },
        };

        public static TheoryData<string, Type, string, int> Offsets => new()
        {
            { "trap_info.vector", typeof(TrapInfo), nameof(TrapInfo.Vector), 0 },
            { "trap_info.flags", typeof(TrapInfo), nameof(TrapInfo.Flags), 1 },
            { "trap_info.cs", typeof(TrapInfo), nameof(TrapInfo.Cs), 2 },
            { "trap_info.address", typeof(TrapInfo), nameof(TrapInfo.Address), 8 },

            { "iret_context.rax", typeof(IretContext), nameof(IretContext.Rax), 0 },
            { "iret_context.r11", typeof(IretContext), nameof(IretContext.R11), 8 },
            { "iret_context.rcx", typeof(IretContext), nameof(IretContext.Rcx), 16 },
            { "iret_context.flags", typeof(IretContext), nameof(IretContext.Flags), 24 },
            { "iret_context.rip", typeof(IretContext), nameof(IretContext.Rip), 32 },
            { "iret_context.cs", typeof(IretContext), nameof(IretContext.Cs), 40 },
            { "iret_context.rflags", typeof(IretContext), nameof(IretContext.Rflags), 48 },
            { "iret_context.rsp", typeof(IretContext), nameof(IretContext.Rsp), 56 },
            { "iret_context.ss", typeof(IretContext), nameof(IretContext.Ss), 64 },

            { "cpu_user_regs.r15", typeof(CpuUserRegs), nameof(CpuUserRegs.R15), 0 },
            { "cpu_user_regs.r14", typeof(CpuUserRegs), nameof(CpuUserRegs.R14), 8 },
            { "cpu_user_regs.r13", typeof(CpuUserRegs), nameof(CpuUserRegs.R13), 16 },
            { "cpu_user_regs.r12", typeof(CpuUserRegs), nameof(CpuUserRegs.R12), 24 },
            { "cpu_user_regs.rbp", typeof(CpuUserRegs), nameof(CpuUserRegs.Rbp), 32 },
            { "cpu_user_regs.rbx", typeof(CpuUserRegs), nameof(CpuUserRegs.Rbx), 40 },
            { "cpu_user_regs.r11", typeof(CpuUserRegs), nameof(CpuUserRegs.R11), 48 },
            { "cpu_user_regs.r10", typeof(CpuUserRegs), nameof(CpuUserRegs.R10), 56 },
            { "cpu_user_regs.r9", typeof(CpuUserRegs), nameof(CpuUserRegs.R9), 64 },
            { "cpu_user_regs.r8", typeof(CpuUserRegs), nameof(CpuUserRegs.R8), 72 },
            { "cpu_user_regs.rax", typeof(CpuUserRegs), nameof(CpuUserRegs.Rax), 80 },
            { "cpu_user_regs.rcx", typeof(CpuUserRegs), nameof(CpuUserRegs.Rcx), 88 },
            { "cpu_user_regs.rdx", typeof(CpuUserRegs), nameof(CpuUserRegs.Rdx), 96 },
            { "cpu_user_regs.rsi", typeof(CpuUserRegs), nameof(CpuUserRegs.Rsi), 104 },
            { "cpu_user_regs.rdi", typeof(CpuUserRegs), nameof(CpuUserRegs.Rdi), 112 },
            { "cpu_user_regs.error_code", typeof(CpuUserRegs), nameof(CpuUserRegs.ErrorCode), 120 },
            { "cpu_user_regs.entry_vector", typeof(CpuUserRegs), nameof(CpuUserRegs.EntryVector), 124 },
            { "cpu_user_regs.rip", typeof(CpuUserRegs), nameof(CpuUserRegs.Rip), 128 },
            { "cpu_user_regs.cs", typeof(CpuUserRegs), nameof(CpuUserRegs.Cs), 136 },
            { "cpu_user_regs._pad0", typeof(CpuUserRegs), nameof(CpuUserRegs.Pad0), 138 },
            { "cpu_user_regs.saved_upcall_mask", typeof(CpuUserRegs), nameof(CpuUserRegs.SavedUpcallMask), 140 },
            { "cpu_user_regs._pad1", typeof(CpuUserRegs), nameof(CpuUserRegs.Pad1), 141 },
            { "cpu_user_regs.rflags", typeof(CpuUserRegs), nameof(CpuUserRegs.Rflags), 144 },
            { "cpu_user_regs.rsp", typeof(CpuUserRegs), nameof(CpuUserRegs.Rsp), 152 },
            { "cpu_user_regs.ss", typeof(CpuUserRegs), nameof(CpuUserRegs.Ss), 160 },
            { "cpu_user_regs.es", typeof(CpuUserRegs), nameof(CpuUserRegs.Es), 168 },
            { "cpu_user_regs.ds", typeof(CpuUserRegs), nameof(CpuUserRegs.Ds), 176 },
            { "cpu_user_regs.fs", typeof(CpuUserRegs), nameof(CpuUserRegs.Fs), 184 },
            { "cpu_user_regs.gs", typeof(CpuUserRegs), nameof(CpuUserRegs.Gs), 192 },

            { "vcpu_guest_context.fpu_ctxt", typeof(VcpuGuestContext), nameof(VcpuGuestContext.FpuCtxt), 0 },
            { "vcpu_guest_context.flags", typeof(VcpuGuestContext), nameof(VcpuGuestContext.Flags), 512 },
            { "vcpu_guest_context.user_regs", typeof(VcpuGuestContext), nameof(VcpuGuestContext.UserRegs), 520 },
            { "vcpu_guest_context.trap_ctxt", typeof(VcpuGuestContext), nameof(VcpuGuestContext.TrapCtxt), 720 },
            { "vcpu_guest_context.ldt_base", typeof(VcpuGuestContext), nameof(VcpuGuestContext.LdtBase), 4816 },
            { "vcpu_guest_context.ldt_ents", typeof(VcpuGuestContext), nameof(VcpuGuestContext.LdtEnts), 4824 },
            { "vcpu_guest_context.gdt_frames", typeof(VcpuGuestContext), nameof(VcpuGuestContext.GdtFrames), 4832 },
            { "vcpu_guest_context.gdt_ents", typeof(VcpuGuestContext), nameof(VcpuGuestContext.GdtEnts), 4960 },
            { "vcpu_guest_context.kernel_ss", typeof(VcpuGuestContext), nameof(VcpuGuestContext.KernelSs), 4968 },
            { "vcpu_guest_context.kernel_sp", typeof(VcpuGuestContext), nameof(VcpuGuestContext.KernelSp), 4976 },
            { "vcpu_guest_context.ctrlreg", typeof(VcpuGuestContext), nameof(VcpuGuestContext.CtrlReg), 4984 },
            { "vcpu_guest_context.debugreg", typeof(VcpuGuestContext), nameof(VcpuGuestContext.DebugReg), 5048 },
            { "vcpu_guest_context.event_callback_eip", typeof(VcpuGuestContext), nameof(VcpuGuestContext.EventCallbackEip), 5112 },
            { "vcpu_guest_context.failsafe_callback_eip", typeof(VcpuGuestContext), nameof(VcpuGuestContext.FailsafeCallbackEip), 5120 },
            { "vcpu_guest_context.syscall_callback_eip", typeof(VcpuGuestContext), nameof(VcpuGuestContext.SyscallCallbackEip), 5128 },
            { "vcpu_guest_context.vm_assist", typeof(VcpuGuestContext), nameof(VcpuGuestContext.VmAssist), 5136 },
            { "vcpu_guest_context.fs_base", typeof(VcpuGuestContext), nameof(VcpuGuestContext.FsBase), 5144 },
            { "vcpu_guest_context.gs_base_kernel", typeof(VcpuGuestContext), nameof(VcpuGuestContext.GsBaseKernel), 5152 },
            { "vcpu_guest_context.gs_base_user", typeof(VcpuGuestContext), nameof(VcpuGuestContext.GsBaseUser), 5160 },

            { "arch_vcpu_info.cr2", typeof(ArchVcpuInfo), nameof(ArchVcpuInfo.Cr2), 0 },
            { "arch_vcpu_info.pad", typeof(ArchVcpuInfo), nameof(ArchVcpuInfo.Pad), 8 },

            { "arch_shared_info.max_pfn", typeof(ArchSharedInfo), nameof(ArchSharedInfo.MaxPfn), 0 },
            { "arch_shared_info.pfn_to_mfn_frame_list_list", typeof(ArchSharedInfo), nameof(ArchSharedInfo.PfnToMfnFrameListList), 8 },
            { "arch_shared_info.nmi_reason", typeof(ArchSharedInfo), nameof(ArchSharedInfo.NmiReason), 16 },
            { "arch_shared_info.p2m_cr3", typeof(ArchSharedInfo), nameof(ArchSharedInfo.P2mCr3), 24 },
            { "arch_shared_info.p2m_vaddr", typeof(ArchSharedInfo), nameof(ArchSharedInfo.P2mVaddr), 32 },
            { "arch_shared_info.p2m_generation", typeof(ArchSharedInfo), nameof(ArchSharedInfo.P2mGeneration), 40 },
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
