using Hypervisor.Abi;
using Hypervisor.Core.Domains;

namespace Hypervisor.Core.Hypercalls.Handlers
{
    /// <summary>set_trap_table(traps): installs guest handlers for exceptions and software
    /// interrupts from an array of trap_info ending with a zero address; a null array clears them all.
    /// As in Xen, the list may be of any length (a later entry for a vector replaces an earlier one).
    /// Xen preempts itself between entries; here a call the guest made itself is continued after each
    /// <see cref="EntriesPerPiece"/> entries: its RIP goes back to the SYSCALL with RDI at the next
    /// entry, so the CPU returns to the guest (and takes pending interrupts) between pieces.</summary>
    public static class SetTrapTableHypercall
    {
        /// <summary>Entries taken before a direct call is continued: a whole table's worth.</summary>
        public const int EntriesPerPiece = TrapInfo.VectorCount;

        /// <summary>The longest list taken inside a multicall (whose entries are not continued here, so
        /// each must finish in one go): -EINVAL beyond it.</summary>
        public const int MulticallLimit = TrapInfo.VectorCount * 4;

        private const ulong EntrySize = 16;
        private const ulong SyscallLength = 2;

        public static long Handle(Vcpu vcpu, in HypercallArguments args)
        {
            ulong at = args.A1;
            if (at == 0)
            {
                for (int i = 0; i < vcpu.TrapTable.Length; i++)
                    vcpu.TrapTable[i] = default;
                return 0;
            }
            bool direct = args.FromSyscall;
            int limit = direct ? EntriesPerPiece : MulticallLimit;
            for (int n = 0; n < limit; n++, at += EntrySize)
            {
                if (!GuestMemory.TryRead(vcpu, at, out TrapInfo info))
                    return -XenErrno.EFAULT;
                if (info.Address == 0)
                    return 0;
                if (!Canonical.IsCanonical(info.Address))
                    return -XenErrno.EINVAL;
                TrapTableEntry entry;
                entry.Address = info.Address;
                entry.CodeSelector = GuestSelectors.FixCodeSelector(info.Cs);
                entry.Flags = info.Flags;
                vcpu.TrapTable[info.Vector] = entry;
            }
            if (!direct)
                return -XenErrno.EINVAL;

            // RAX still holds the hypercall's number, so the guest's SYSCALL makes the same call again,
            // from the next entry on.
            ref GuestRegisters r = ref vcpu.Registers;
            r.Rip -= SyscallLength;
            r.Rdi = at;
            return HypercallResult.RegistersReplaced;
        }
    }
}
