using Hypervisor.Abi;
using Hypervisor.Core.Hypercalls.Handlers;
using Hypervisor.Core.Memory;

namespace Hypervisor.Core.Domains
{
    /// <summary>
    /// A whole vCPU state from a vcpu_guest_context (Xen's arch_set_info_guest for a 64-bit PV vCPU):
    /// how the toolstack starts a domain's first vCPU (XEN_DOMCTL_setvcpucontext) and how a guest starts
    /// its other vCPUs (VCPUOP_initialise). Everything is checked before anything changes: addresses
    /// must be canonical, the kernel page-table base (CR3) must be an L4 the domain owns and that
    /// validates, the user base too when given, the GDT frames must take the descriptor type, and
    /// vm_assist may name known types only. LDTs are not supported (a non-zero ldt_ents is -EOPNOTSUPP).
    /// Kernel-mode selectors with RPL 0 become RPL 3, where a 64-bit PV kernel runs.
    /// </summary>
    public static unsafe class VcpuContext
    {
        public static int Apply(Vcpu vcpu, VcpuGuestContext* contextPointer)
        {
            ref VcpuGuestContext context = ref *contextPointer;
            ref CpuUserRegs regs = ref context.UserRegs;
            if (!Canonical.IsCanonical(regs.Rip) || !Canonical.IsCanonical(regs.Rsp) || !Canonical.IsCanonical(context.KernelSp)
                || !Canonical.IsCanonical(context.FsBase) || !Canonical.IsCanonical(context.GsBaseKernel)
                || !Canonical.IsCanonical(context.GsBaseUser) || !Canonical.IsCanonical(context.EventCallbackEip)
                || !Canonical.IsCanonical(context.FailsafeCallbackEip) || !Canonical.IsCanonical(context.SyscallCallbackEip))
                return -XenErrno.EINVAL;
            if (context.GdtEnts > DescriptorTables.FirstReservedGdtEntry || (context.VmAssist & ~VmAssistHypercall.ValidTypes) != 0)
                return -XenErrno.EINVAL;
            if (context.LdtEnts != 0)
                return -XenErrno.EOPNOTSUPP;
            for (int i = 0; i < TrapInfo.VectorCount; i++)
            {
                ulong address = *(ulong*)(contextPointer->TrapCtxt + i * 16 + 8);
                if (!Canonical.IsCanonical(address))
                    return -XenErrno.EINVAL;
            }

            Domain domain = vcpu.Domain;
            FrameTable frames = domain.Host.FrameTable;
            ulong kernelBase = contextPointer->CtrlReg[3] >> 12;
            ulong userBase = contextPointer->CtrlReg[1] >> 12;
            // An initialised vCPU keeps its page tables: the same base is accepted, another refused (Xen).
            if (vcpu.IsInitialised)
            {
                if (kernelBase != vcpu.KernelTableFrame)
                    return -XenErrno.EOPNOTSUPP;
            }
            else
            {
                if (frames.GetPageAndType(kernelBase, PageType.L4, domain.Id) != 0)
                    return -XenErrno.EINVAL;
                if (userBase != 0 && frames.GetPageAndType(userBase, PageType.L4, domain.Id) != 0)
                {
                    frames.PutPageAndType(kernelBase);
                    return -XenErrno.EINVAL;
                }
            }
            ulong* gdtFrames = stackalloc ulong[DescriptorTables.FirstReservedGdtPage];
            int gdtCount = (int)((context.GdtEnts + 511) / 512);
            for (int i = 0; i < gdtCount; i++)
                gdtFrames[i] = contextPointer->GdtFrames[i];
            int rc = SetGdtHypercall.Install(vcpu, gdtFrames, gdtCount, (uint)context.GdtEnts);
            if (rc != 0)
            {
                if (!vcpu.IsInitialised)
                {
                    frames.PutPageAndType(kernelBase);
                    if (userBase != 0)
                        frames.PutPageAndType(userBase);
                }
                return rc;
            }
            if (!vcpu.IsInitialised)
            {
                vcpu.KernelTableFrame = kernelBase;
                vcpu.UserTableFrame = userBase;
            }

            LoadRegisters(vcpu, in context);
            for (int i = 0; i < TrapInfo.VectorCount; i++)
            {
                byte* info = contextPointer->TrapCtxt + i * 16;
                TrapTableEntry entry;
                entry.Address = *(ulong*)(info + 8);
                entry.CodeSelector = GuestSelectors.FixCodeSelector(*(ushort*)(info + 2));
                entry.Flags = info[1];
                vcpu.TrapTable[info[0]] = entry.Address != 0 ? entry : default;
            }
            ulong flags = context.Flags;
            CallbackOpHypercall.Set(vcpu, CallbackKind.Event, context.EventCallbackEip, true);
            CallbackOpHypercall.Set(vcpu, CallbackKind.Failsafe, context.FailsafeCallbackEip, (flags & VcpuGuestContextFlags.FailsafeDisablesEvents) != 0);
            CallbackOpHypercall.Set(vcpu, CallbackKind.Syscall, context.SyscallCallbackEip, (flags & VcpuGuestContextFlags.SyscallDisablesEvents) != 0);
            vcpu.KernelStackSegment = GuestSelectors.FixStackSelector((ushort)context.KernelSs);
            vcpu.KernelStackPointer = context.KernelSp;
            vcpu.FsBase = context.FsBase;
            vcpu.GsBaseKernel = context.GsBaseKernel;
            vcpu.GsBaseUser = context.GsBaseUser;
            domain.VmAssist = context.VmAssist;
            vcpu.InKernelMode = (flags & VcpuGuestContextFlags.InKernel) != 0;
            vcpu.FpuInitialised = (flags & VcpuGuestContextFlags.I387Valid) != 0;
            if (vcpu.FpuInitialised)
            {
                int offset = AlignedFpuOffset(vcpu);
                for (int i = 0; i < Vcpu.FpuStateSize; i++)
                    vcpu.FpuState[offset + i] = contextPointer->FpuCtxt[i];
            }
            vcpu.IsDown = (flags & VcpuGuestContextFlags.Online) == 0;
            vcpu.PeriodicLastEvent = Time.SystemTime.Now(domain.Host);
            Scheduling.VcpuBlocking.MakeRunnable(vcpu);
            return 0;
        }

        /// <summary>The 16-byte aligned start of the vCPU's FXSAVE window (objects do not move, so it is
        /// computed once).</summary>
        public static int AlignedFpuOffset(Vcpu vcpu)
        {
            if (vcpu.FpuStateOffset < 0)
            {
                fixed (byte* start = vcpu.FpuState)
                    vcpu.FpuStateOffset = (int)((16 - ((ulong)start & 15)) & 15);
            }
            return vcpu.FpuStateOffset;
        }

        private static void LoadRegisters(Vcpu vcpu, in VcpuGuestContext context)
        {
            ref readonly CpuUserRegs u = ref context.UserRegs;
            ref GuestRegisters r = ref vcpu.Registers;
            r.R15 = u.R15; r.R14 = u.R14; r.R13 = u.R13; r.R12 = u.R12;
            r.R11 = u.R11; r.R10 = u.R10; r.R9 = u.R9; r.R8 = u.R8;
            r.Rbp = u.Rbp; r.Rdi = u.Rdi; r.Rsi = u.Rsi; r.Rdx = u.Rdx;
            r.Rcx = u.Rcx; r.Rbx = u.Rbx; r.Rax = u.Rax;
            r.Vector = 0;
            r.ErrorCode = 0;
            r.Rip = u.Rip;
            r.Rsp = u.Rsp;
            r.Cs = GuestSelectors.FixCodeSelector(u.Cs);
            r.Ss = GuestSelectors.FixStackSelector(u.Ss);
            // The context's IOPL is the vCPU's virtual I/O privilege level, as Xen's arch_set_info_guest
            // takes it (Linux starts its other vCPUs with IOPL 1 this way, rather than by physdev_op).
            vcpu.IoPrivilegeLevel = (uint)((u.Rflags & GuestRegisters.IoplMask) >> 12);
            r.Rflags = (u.Rflags & ~GuestRegisters.IoplMask) | GuestRegisters.ReservedFlag;
            vcpu.Ds = u.Ds;
            vcpu.Es = u.Es;
            vcpu.Fs = u.Fs;
            vcpu.Gs = u.Gs;
        }
    }
}
