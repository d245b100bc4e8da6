using Hypervisor.Core.Domains;

namespace Hypervisor.Core.Hypercalls
{
    /// <summary>One row of <see cref="HypercallTable"/>: a hypercall's number, name, who may call it
    /// and its handler. A handler returns the value for RAX (0 or more, or a negative Xen errno), or
    /// <see cref="HypercallResult.RegistersReplaced"/> when it rewrote the vCPU's registers (iret).</summary>
    public unsafe struct HypercallDefinition
    {
        public int Number;
        public string Name;
        public HypercallAccess Access;
        public delegate*<Vcpu, in HypercallArguments, long> Handler;

        public HypercallDefinition(int number, string name, HypercallAccess access, delegate*<Vcpu, in HypercallArguments, long> handler)
        {
            Number = number;
            Name = name;
            Access = access;
            Handler = handler;
        }
    }
}
