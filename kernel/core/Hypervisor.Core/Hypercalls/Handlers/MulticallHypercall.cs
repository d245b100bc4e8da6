using Hypervisor.Abi;
using Hypervisor.Core.Domains;

namespace Hypervisor.Core.Hypercalls.Handlers
{
    /// <summary>multicall(entries, count): runs a batch of hypercalls in order, each from its
    /// multicall_entry, and stores each one's return value in the entry's result field. The batch
    /// itself fails only when its entries cannot be read or written back.</summary>
    public static unsafe class MulticallHypercall
    {
        private const ulong EntrySize = 64;
        private const ulong ResultOffset = 8;

        public static long Handle(Vcpu vcpu, in HypercallArguments args)
        {
            ulong at = args.A1;
            uint count = (uint)args.A2;   // Xen 4.17 takes a 32-bit count
            if (!GuestHandle.IsOkay(at, count, EntrySize))
                return -XenErrno.EFAULT;
            for (uint i = 0; i < count; i++, at += EntrySize)
            {
                // Each entry is read once; only its result is written back.
                if (!GuestMemory.TryRead(vcpu, at, out MulticallEntry entry))
                    return -XenErrno.EFAULT;
                long result;
                bool last = false;
                switch (entry.Op)
                {
                    case HypercallNumber.Multicall:
                        // Xen refuses re-entry (its per-vCPU "in multicall" flag): the nested entry
                        // fails, the batch goes on.
                        result = -XenErrno.EINVAL;
                        break;
                    case HypercallNumber.Iret:
                        // Under Xen an iret ends the batch and its result becomes the batch's. Here it
                        // is refused instead: it would replace the registers the rest of the batch and
                        // the return to the caller depend on. The batch still ends there.
                        result = -XenErrno.EINVAL;
                        last = true;
                        break;
                    default:
                        var callArgs = new HypercallArguments(entry.Args[0], entry.Args[1], entry.Args[2], entry.Args[3], entry.Args[4]);
                        result = HypercallDispatcher.Invoke(vcpu, entry.Op, in callArgs);
                        break;
                }
                if (!GuestMemory.TryWrite(vcpu, at + ResultOffset, in result))
                    return -XenErrno.EFAULT;
                if (last)
                    return result;
                // A call that shut the domain down or crashed it ends the batch: nothing more of it
                // may run.
                if (!vcpu.Domain.IsAlive)
                    return 0;
            }
            return 0;
        }
    }
}
