using System;
using Hypervisor.Core.Memory;

namespace Hypervisor.Core.Domains
{
    /// <summary>
    /// A 64-bit PV kernel may write its L1 page-table entries directly although they are mapped
    /// read-only: the write faults and the hypervisor performs it as a checked update (Xen's
    /// "writable page tables" emulation), then skips the instruction. The stores kernels use for
    /// entries are emulated: MOV r/m,reg (89), MOV r/m,imm32 (C7 /0), XCHG (87) and CMPXCHG
    /// (0F B1), with LOCK and REX prefixes, 4 or 8 bytes. Anything else, or an update the frame
    /// table refuses, leaves the #PF for the guest.
    /// </summary>
    public static class PageTableWriteEmulation
    {
        private const ulong FaultPresent = 1, FaultWrite = 2;
        private const ulong ZeroFlag = 1UL << 6;

        public static bool TryEmulate(Vcpu vcpu, ulong faultAddress)
        {
            ref GuestRegisters r = ref vcpu.Registers;
            if ((r.ErrorCode & (FaultPresent | FaultWrite)) != (FaultPresent | FaultWrite))
                return false;
            Span<byte> code = stackalloc byte[15];
            if (!GuestMemory.TryRead(vcpu, r.Rip, code))
                return false;
            if (!Decode(code, out Store store))
                return false;
            if ((faultAddress & (ulong)(store.Size - 1)) != 0)
                return false;

            Host host = vcpu.Domain.Host;
            if (!GuestMemory.TryTranslate(vcpu, faultAddress, false, out ulong machine))
                return false;
            ulong mfn = machine >> FrameAllocator.FrameShift;
            FrameTable frames = host.FrameTable;
            if (frames.TypeOf(mfn) != PageType.L1 || frames.OwnerOf(mfn) != vcpu.Domain.Id)
                return false;

            ulong entryAddress = machine & ~7UL;
            ulong old = host.Memory.Read64(entryAddress);
            int halfShift = store.Size == 4 ? (int)(machine & 4) * 8 : 0;
            ulong halfMask = store.Size == 4 ? 0xFFFFFFFFUL << halfShift : ulong.MaxValue;
            ulong oldPart = (old & halfMask) >> halfShift;
            ulong source = store.UsesImmediate ? store.Immediate : GuestRegisterFile.Get(ref r, store.Register);
            if (store.Size == 4)
                source &= 0xFFFFFFFF;

            bool write = true;
            switch (store.Kind)
            {
                case StoreKind.Exchange:
                    GuestRegisterFile.Set(ref r, store.Register, oldPart);
                    break;
                case StoreKind.CompareExchange:
                    ulong expected = store.Size == 4 ? r.Rax & 0xFFFFFFFF : r.Rax;
                    write = expected == oldPart;
                    if (write)
                        r.Rflags |= ZeroFlag;
                    else
                    {
                        r.Rflags &= ~ZeroFlag;
                        r.Rax = oldPart;
                    }
                    break;
            }
            if (write)
            {
                ulong value = (old & ~halfMask) | ((source << halfShift) & halfMask);
                if (frames.UpdateL1Entry(vcpu.Domain.Id, entryAddress, value) != 0)
                    return false;
                host.Platform.FlushTlb();
                frames.ClearTlbFlushPending();
            }
            r.Rip += (ulong)store.Length;
            return true;
        }

        private enum StoreKind { Move, Exchange, CompareExchange }

        private struct Store
        {
            public StoreKind Kind;
            public int Size;
            public int Register;
            public bool UsesImmediate;
            public ulong Immediate;
            public int Length;
        }

        private static bool Decode(ReadOnlySpan<byte> code, out Store store)
        {
            store = default;
            int at = 0;
            if (code[at] == 0xF0)
                at++;
            int rex = 0;
            if ((code[at] & 0xF0) == 0x40)
                rex = code[at++];
            store.Size = (rex & 8) != 0 ? 8 : 4;
            byte opcode = code[at++];
            switch (opcode)
            {
                case 0x89: store.Kind = StoreKind.Move; break;
                case 0x87: store.Kind = StoreKind.Exchange; break;
                case 0xC7: store.Kind = StoreKind.Move; store.UsesImmediate = true; break;
                case 0x0F:
                    if (code[at++] != 0xB1)
                        return false;
                    store.Kind = StoreKind.CompareExchange;
                    break;
                default:
                    return false;
            }
            byte modrm = code[at++];
            int mod = modrm >> 6, reg = (modrm >> 3) & 7, rm = modrm & 7;
            if (mod == 3)
                return false;                               // a register destination never faults here
            if (store.UsesImmediate && reg != 0)
                return false;
            store.Register = reg | ((rex & 4) << 1);
            if (rm == 4)
            {
                byte sib = code[at++];
                if (mod == 0 && (sib & 7) == 5)
                    at += 4;
            }
            else if (mod == 0 && rm == 5)
            {
                at += 4;                                    // RIP-relative
            }
            if (mod == 1)
                at += 1;
            else if (mod == 2)
                at += 4;
            if (store.UsesImmediate)
            {
                store.Immediate = (ulong)(long)(int)(code[at] | (code[at + 1] << 8) | (code[at + 2] << 16) | (code[at + 3] << 24));
                at += 4;
            }
            store.Length = at;
            return at <= code.Length;
        }
    }
}
