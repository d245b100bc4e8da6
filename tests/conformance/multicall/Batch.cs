using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>A multicall list in guest memory: entries filled one by one, results pre-set to a
    /// sentinel so that an entry the hypervisor did not run is visible.</summary>
    internal sealed unsafe class Batch
    {
        public const ulong Sentinel = 0xDEADBEEFDEADBEEFUL;

        private readonly MulticallEntry* entries;
        private int count;

        public Batch(MulticallEntry* at)
        {
            entries = at;
        }

        public Batch(int capacity) : this((MulticallEntry*)GuestMemory.Allocate((ulong)(capacity * sizeof(MulticallEntry))))
        {
        }

        public MulticallEntry* Entries => entries;
        public uint Count => (uint)count;

        public Batch Add(ulong op, ulong a0 = 0, ulong a1 = 0, ulong a2 = 0, ulong a3 = 0, ulong a4 = 0, ulong a5 = 0)
        {
            MulticallEntry* e = entries + count++;
            e->Op = op;
            e->Result = Sentinel;
            e->Args[0] = a0;
            e->Args[1] = a1;
            e->Args[2] = a2;
            e->Args[3] = a3;
            e->Args[4] = a4;
            e->Args[5] = a5;
            return this;
        }

        public long Result(int i) => (long)entries[i].Result;

        public long Run() => Hypercalls.Multicall(entries, (uint)count);
    }
}
