using Hypervisor.Abi;
using Hypervisor.Core.Domains;

namespace Hypervisor.Core.Hypercalls.Handlers
{
    /// <summary>set_trap_table(traps): installs guest handlers for exceptions and software
    /// interrupts from an array of trap_info ending with a zero address; a null array clears them all.</summary>
    public static class SetTrapTableHypercall
    {
        public static long Handle(Vcpu vcpu, in HypercallArguments args)
        {
            ulong at = args.A1;
            if (at == 0)
            {
                for (int i = 0; i < vcpu.TrapTable.Length; i++)
                    vcpu.TrapTable[i] = default;
                return 0;
            }
            for (int n = 0; n < TrapInfo.VectorCount * 4; n++, at += 16)
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
            // A list this long without a terminator is not a trap table.
            return -XenErrno.EINVAL;
        }
    }
}
