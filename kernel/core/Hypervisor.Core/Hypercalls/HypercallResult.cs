namespace Hypervisor.Core.Hypercalls
{
    /// <summary>Special results of a hypercall handler.</summary>
    public static class HypercallResult
    {
        /// <summary>The handler replaced the vCPU's registers (iret, a callback): RAX is not written.</summary>
        public const long RegistersReplaced = long.MinValue;
    }
}
