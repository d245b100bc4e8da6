using System;
using Hypervisor.Abi;
using Hypervisor.Core.Hypercalls.Handlers;

namespace Hypervisor.Core.Domains
{
    /// <summary>
    /// Emulation of the privileged instructions a PV kernel may execute in ring 3 and expect the
    /// hypervisor to perform: CPUID behind Xen's forced-emulation prefix (ud2; "xen"), HLT as a block,
    /// port I/O (IN, OUT, INS, OUTS in every operand size) within the vCPU's I/O permissions, CLI/STI
    /// as no-ops when the virtual IOPL allows them (as Xen), MOV to and from CR0, CR2, CR3 and CR4,
    /// CLTS and WBINVD from the guest kernel (as Xen's read_cr/write_cr), and
    /// RDMSR/WRMSR of the MSRs a PV kernel may use (<see cref="PvMsrPolicy"/>). The instruction is
    /// decoded from guest memory at RIP, never from the #GP error code, and RIP moves past it once
    /// it is done. Anything else is left for the caller to bounce to the guest as #GP.
    /// </summary>
    public static class PrivilegedInstructions
    {
        private const int MaxInstructionLength = 15;
        private const ulong PageSize = 4096;
        private const int PageFault = 14;
        private const ulong DirectionFlag = 1UL << 10;
        /// <summary>Elements of a REP INS/OUTS done per exit: a longer string is resumed by the guest
        /// executing the instruction again (RIP stays on it while RCX is not 0), so the hypervisor is
        /// never held for long.</summary>
        private const int StringIoBatch = 4096;

        private const int NoSegment = 0, FsSegment = 1, GsSegment = 2;

        /// <summary>The CR0 the hypervisor runs the CPU with (PG, WP, NE, ET, MP, PE: the arch layer's
        /// boot code). The guest kernel reads it with its own virtual TS in place of the real one, and
        /// may change nothing but TS, as on Xen.</summary>
        public const ulong HostCr0 = 0x80010033UL;
        public const ulong Cr0TaskSwitched = 1UL << 3;

        /// <summary>The guest's CR4. Xen shows a PV guest the host's PAE, MCE, OSFXSR and OSXMMEXCPT,
        /// plus whichever of TSD, DE, FSGSBASE and OSXSAVE the guest set and its CPUID policy offers.
        /// The hypervisor runs with PAE, OSFXSR and OSXMMEXCPT; it offers none of the four (the core
        /// cannot load them into the CPU for a guest, and <see cref="PvCpuidPolicy"/> hides DE,
        /// FSGSBASE and OSXSAVE), so a write keeps this value, as Xen's fix-up would.</summary>
        public const ulong GuestCr4 = (1UL << 5) | (1UL << 9) | (1UL << 10);

        private const int ForcedEmulationLength = 7;
        // 0F 0B 'x' 'e' 'n' 0F A2 as a little-endian integer.
        private const ulong ForcedEmulationCode = 0x0F | 0x0BUL << 8 | (ulong)'x' << 16 | (ulong)'e' << 24 | (ulong)'n' << 32 | 0x0FUL << 40 | 0xA2UL << 48;

        /// <summary>Handles the #UD of "ud2a; .ascii \"xen\"; cpuid".</summary>
        public static unsafe bool TryEmulateForced(Vcpu vcpu)
        {
            // Read into a plain local, not a stackalloc (whose stack cookie check costs a page read on
            // every #UD): the seven bytes, little-endian, are the prefix and CPUID.
            ulong code = 0;
            if (!GuestMemory.TryRead(vcpu, vcpu.Registers.Rip, new Span<byte>(&code, ForcedEmulationLength)))
                return false;
            if (code != ForcedEmulationCode)
                return false;
            ref GuestRegisters r = ref vcpu.Registers;
            PvCpuidPolicy.Execute(vcpu, (uint)r.Rax, (uint)r.Rcx, out uint a, out uint b, out uint c, out uint d);
            r.Rax = a;
            r.Rbx = b;
            r.Rcx = c;
            r.Rdx = d;
            r.Rip += ForcedEmulationLength;
            return true;
        }

        /// <summary>Handles a #GP raised by a privileged instruction; false when it is not one of ours
        /// or the guest may not execute it (the caller then bounces the #GP).</summary>
        public static bool TryEmulate(Vcpu vcpu)
        {
            Span<byte> code = stackalloc byte[MaxInstructionLength];
            int fetched = Fetch(vcpu, code);
            if (fetched == 0)
                return false;
            if (code[0] == 0xF4)
            {
                if (!vcpu.InKernelMode)
                    return false;
                // HLT from the guest kernel: wait for an event, as SCHEDOP_block does but without
                // touching the event mask (a masked guest is woken by the upcall flag alone).
                vcpu.Registers.Rip += 1;
                Scheduling.VcpuBlocking.Halt(vcpu);
                return true;
            }

            // Legacy prefixes, then at most one REX right before the opcode. REX.W does not widen
            // port I/O, and RDMSR/WRMSR ignore it; REX.R and REX.B extend MOV CR's operands.
            int rex = 0;
            bool operand16 = false, address32 = false, repeat = false;
            int segment = NoSegment;
            int at = 0;
            for (; at < fetched; at++)
            {
                byte b = code[at];
                if (b == 0x66)
                    operand16 = true;
                else if (b == 0x67)
                    address32 = true;
                else if (b == 0xF2 || b == 0xF3)
                    repeat = true;
                else if (b == 0x64)
                    segment = FsSegment;
                else if (b == 0x65)
                    segment = GsSegment;
                else if (b == 0x26 || b == 0x2E || b == 0x36 || b == 0x3E)
                    segment = NoSegment;   // base 0 in 64-bit mode
                else
                    break;   // LOCK (0xF0) included: nothing emulated here takes it
            }
            if (at < fetched && (code[at] & 0xF0) == 0x40)
                rex = code[at++];
            if (at >= fetched)
                return false;

            byte opcode = code[at];
            switch (opcode)
            {
                case 0xE4: case 0xE5: case 0xE6: case 0xE7:
                    if (at + 1 >= fetched)
                        return false;
                    return PortInOut(vcpu, opcode, code[at + 1], operand16, at + 2);
                case 0xEC: case 0xED: case 0xEE: case 0xEF:
                    return PortInOut(vcpu, opcode, (uint)(ushort)vcpu.Registers.Rdx, operand16, at + 1);
                case 0x6C: case 0x6D: case 0x6E: case 0x6F:
                    return StringInOut(vcpu, opcode, operand16, address32, repeat, segment, at + 1);
                case 0xFA: case 0xFB:
                    // CLI/STI with enough virtual IOPL: Xen lets them through as no-ops rather than
                    // touch the event mask (a later POPF could not be trapped to undo it). Without
                    // it the guest gets its #GP, as at ring 3 on hardware.
                    if (!PortIo.IoplAllows(vcpu))
                        return false;
                    vcpu.Registers.Rip += (ulong)(at + 1);
                    return true;
                case 0x0F:
                    if (at + 1 >= fetched)
                        return false;
                    switch (code[at + 1])
                    {
                        case 0x32:
                            return ReadMsr(vcpu, at + 2);
                        case 0x30:
                            return WriteMsr(vcpu, at + 2);
                        case 0x20:
                        case 0x22:
                            if (at + 2 >= fetched)
                                return false;
                            return MoveControlRegister(vcpu, code[at + 2], rex, code[at + 1] == 0x22, at + 3);
                        case 0x06:
                            // CLTS: Xen's fpu_taskswitch(0).
                            if (!vcpu.InKernelMode)
                                return false;
                            vcpu.TaskSwitched = false;
                            vcpu.Registers.Rip += (ulong)(at + 2);
                            return true;
                        case 0x09:
                            // WBINVD: done for a domain with I/O access and ignored for others in Xen;
                            // the core has no cache write-back, and the emulated machines this runs on
                            // keep caches coherent, so both are no-ops here.
                            if (!vcpu.InKernelMode)
                                return false;
                            vcpu.Registers.Rip += (ulong)(at + 2);
                            return true;
                        default:
                            return false;
                    }
                default:
                    return false;
            }
        }

        // MOV r64, CRn (0F 20 /r) and MOV CRn, r64 (0F 22 /r) from the guest kernel, which Xen's
        // emulator treats as ring 0; guest user mode gets its #GP. The ModRM's mod field is ignored,
        // as the CPU does; REX.R names CR8 and up, which are not emulated (#GP, as from Xen).
        private static bool MoveControlRegister(Vcpu vcpu, byte modrm, int rex, bool toControl, int length)
        {
            if (!vcpu.InKernelMode)
                return false;
            int cr = ((modrm >> 3) & 7) | ((rex & 4) << 1);
            int gpr = (modrm & 7) | ((rex & 1) << 3);
            ref GuestRegisters r = ref vcpu.Registers;
            if (!toControl)
            {
                ulong value;
                switch (cr)
                {
                    case 0:
                        value = (HostCr0 & ~Cr0TaskSwitched) | (vcpu.TaskSwitched ? Cr0TaskSwitched : 0);
                        break;
                    case 2:
                        // Xen keeps its own copy, which it also writes to vcpu_info at each #PF; the
                        // vcpu_info copy is the one kept here.
                        value = VcpuInfoAccess.ReadCr2(vcpu);
                        break;
                    case 3:
                        // A PV guest is not translated: its CR3 holds the machine address of its L4.
                        value = vcpu.KernelTableFrame << 12;
                        break;
                    case 4:
                        value = GuestCr4;
                        break;
                    default:
                        return false;
                }
                GuestRegisterFile.Set(ref r, gpr, value);
            }
            else
            {
                ulong value = GuestRegisterFile.Get(ref r, gpr);
                switch (cr)
                {
                    case 0:
                        if (((value ^ HostCr0) & ~Cr0TaskSwitched) != 0)
                            return false;
                        vcpu.TaskSwitched = (value & Cr0TaskSwitched) != 0;
                        break;
                    case 2:
                        VcpuInfoAccess.SetCr2(vcpu, value);
                        break;
                    case 3:
                        if (MmuextOpHypercall.SetKernelBase(vcpu, value >> 12) != 0)
                            return false;
                        break;
                    case 4:
                        // Every bit is either the host's or one the guest may not choose.
                        break;
                    default:
                        return false;
                }
            }
            r.Rip += (ulong)length;
            return true;
        }

        // Up to 15 bytes at RIP; an instruction that ends before an unmapped page still decodes.
        private static int Fetch(Vcpu vcpu, Span<byte> code)
        {
            ulong rip = vcpu.Registers.Rip;
            ulong inPage = PageSize - (rip & (PageSize - 1));
            int first = inPage < (ulong)code.Length ? (int)inPage : code.Length;
            if (!GuestMemory.TryRead(vcpu, rip, code.Slice(0, first)))
                return 0;
            if (first == code.Length)
                return first;
            return GuestMemory.TryRead(vcpu, rip + (ulong)first, code.Slice(first)) ? code.Length : first;
        }

        private static int OperandSize(byte opcode, bool operand16) => (opcode & 1) == 0 ? 1 : operand16 ? 2 : 4;

        // IN AL/AX/EAX, imm8 or DX; OUT imm8 or DX, AL/AX/EAX.
        private static bool PortInOut(Vcpu vcpu, byte opcode, uint port, bool operand16, int length)
        {
            int size = OperandSize(opcode, operand16);
            if (!PortIo.GuestMayAccess(vcpu, port, size))
                return false;
            ref GuestRegisters r = ref vcpu.Registers;
            if ((opcode & 2) == 0)
            {
                uint value = PortIo.Read(vcpu.Domain, port, size);
                // As the CPU does: AL and AX leave the rest of RAX alone, EAX clears the upper half.
                if (size == 1)
                    r.Rax = (r.Rax & ~0xFFUL) | (value & 0xFF);
                else if (size == 2)
                    r.Rax = (r.Rax & ~0xFFFFUL) | (value & 0xFFFF);
                else
                    r.Rax = value;
            }
            else
            {
                PortIo.Write(vcpu.Domain, port, size, (uint)r.Rax);
            }
            r.Rip += (ulong)length;
            return true;
        }

        // INS (port DX to ES:RDI) and OUTS (DS:RSI, or FS/GS with an override, to port DX), with or
        // without REP, 32-bit addressing with 0x67, backwards when RFLAGS.DF is set. Registers move
        // after each element, so a page fault part-way leaves them where the CPU would.
        private static bool StringInOut(Vcpu vcpu, byte opcode, bool operand16, bool address32, bool repeat, int segment, int length)
        {
            int size = OperandSize(opcode, operand16);
            ref GuestRegisters r = ref vcpu.Registers;
            uint port = (uint)(ushort)r.Rdx;
            if (!PortIo.GuestMayAccess(vcpu, port, size))
                return false;
            bool input = opcode <= 0x6D;
            ulong addressMask = address32 ? 0xFFFFFFFFUL : ulong.MaxValue;
            ulong count = repeat ? r.Rcx & addressMask : 1;
            ulong step = (r.Rflags & DirectionFlag) != 0 ? (ulong)(-(long)size) : (ulong)size;
            ulong sourceBase = segment == FsSegment ? vcpu.FsBase : segment == GsSegment ? GuestMode.CurrentGsBase(vcpu) : 0;
            Span<byte> data = stackalloc byte[4];
            for (int done = 0; count != 0 && done < StringIoBatch; done++)
            {
                if (input)
                {
                    ulong address = r.Rdi & addressMask;
                    uint value = PortIo.Read(vcpu.Domain, port, size);
                    for (int i = 0; i < size; i++)
                        data[i] = (byte)(value >> (8 * i));
                    if (!GuestMemory.TryWrite(vcpu, address, data.Slice(0, size)))
                        return RaisePageFault(vcpu, address, true);
                    r.Rdi = ((r.Rdi & addressMask) + step) & addressMask;
                }
                else
                {
                    ulong address = sourceBase + (r.Rsi & addressMask);
                    if (!GuestMemory.TryRead(vcpu, address, data.Slice(0, size)))
                        return RaisePageFault(vcpu, address, false);
                    uint value = 0;
                    for (int i = 0; i < size; i++)
                        value |= (uint)data[i] << (8 * i);
                    PortIo.Write(vcpu.Domain, port, size, value);
                    r.Rsi = ((r.Rsi & addressMask) + step) & addressMask;
                }
                count--;
                if (repeat)
                    r.Rcx = count;
            }
            if (count == 0)
                r.Rip += (ulong)length;
            return true;
        }

        // The guest's buffer is not there: it gets the #PF the instruction would have raised, with the
        // error code Xen gives (write, and user when from guest user mode; never "present", which a
        // failed copy cannot tell).
        private static bool RaisePageFault(Vcpu vcpu, ulong address, bool write)
        {
            ulong errorCode = (write ? 2UL : 0) | (vcpu.InKernelMode ? 0 : 4UL);
            VcpuInfoAccess.SetCr2(vcpu, address);
            GuestTrapHandler.Bounce(vcpu, PageFault, true, errorCode);
            return true;
        }

        // RDMSR: ECX names the MSR, the value goes to EDX:EAX. Guest kernel only: the guest's user mode
        // gets its #GP as it would at ring 3.
        private static bool ReadMsr(Vcpu vcpu, int length)
        {
            if (!vcpu.InKernelMode)
                return false;
            ref GuestRegisters r = ref vcpu.Registers;
            if (!PvMsrPolicy.TryRead(vcpu, (uint)r.Rcx, out ulong value))
                return false;
            r.Rax = value & 0xFFFFFFFFUL;
            r.Rdx = value >> 32;
            r.Rip += (ulong)length;
            return true;
        }

        private static bool WriteMsr(Vcpu vcpu, int length)
        {
            if (!vcpu.InKernelMode)
                return false;
            ref GuestRegisters r = ref vcpu.Registers;
            ulong value = ((r.Rdx & 0xFFFFFFFFUL) << 32) | (r.Rax & 0xFFFFFFFFUL);
            if (!PvMsrPolicy.TryWrite(vcpu, (uint)r.Rcx, value))
                return false;
            r.Rip += (ulong)length;
            return true;
        }
    }
}
