using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>The page-table hypercalls, typed: mmu_update, mmuext_op (both batched, with a count of the
    /// requests done) and update_va_mapping for another domain. <see cref="Mmu"/> has one-request helpers.</summary>
    public static unsafe partial class Hypercalls
    {
        /// <summary>mmu_update(reqs, count, done_out, foreigndom): validated writes of page-table entries
        /// (machine address of the entry | command, new value). <paramref name="done"/> may be null.</summary>
        public static long MmuUpdate(MmuUpdate* requests, uint count, uint* done, ushort foreignDomain)
            => Call(HypercallNumber.MmuUpdate, (ulong)requests, count, (ulong)done, foreignDomain, 0);

        /// <summary>mmu_update of this domain's own tables.</summary>
        public static long MmuUpdate(MmuUpdate* requests, uint count, uint* done)
            => MmuUpdate(requests, count, done, DomainId.Self);

        /// <summary>mmuext_op(ops, count, done_out, foreigndom): pins, base pointers, flushes.</summary>
        public static long MmuextOp(MmuextOp* operations, uint count, uint* done, ushort foreignDomain)
            => Call(HypercallNumber.MmuextOp, (ulong)operations, count, (ulong)done, foreignDomain, 0);

        public static long MmuextOp(MmuextOp* operations, uint count, uint* done)
            => MmuextOp(operations, count, done, DomainId.Self);

        /// <summary>update_va_mapping_otherdomain(va, new PTE, flags, domain).</summary>
        public static long UpdateVaMappingOtherDomain(ulong virtualAddress, ulong pageTableEntry, ulong flags, ushort domain)
            => Call(HypercallNumber.UpdateVaMappingOtherdomain, virtualAddress, pageTableEntry, flags, domain, 0);

        /// <summary>memory_op(cmd, arg).</summary>
        public static long MemoryOp(int command, void* argument)
            => Call(HypercallNumber.MemoryOp, (uint)command, (ulong)argument, 0, 0, 0);

        /// <summary>vm_assist(cmd, type).</summary>
        public static long VmAssist(int command, int type)
            => Call(HypercallNumber.VmAssist, (uint)command, (uint)type, 0, 0, 0);
    }
}
