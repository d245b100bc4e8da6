namespace Hypervisor.Core.Domains
{
    /// <summary>
    /// The part of a vCPU's state that stays in the CPU while it runs and must be saved when another
    /// vCPU takes the CPU: the data segment selectors and the FPU/SSE registers (an FXSAVE image).
    /// The arch layer saves and loads them on a switch; the domain builder and VCPUOP_initialise /
    /// XEN_DOMCTL_setvcpucontext set their first values.
    /// </summary>
    public sealed partial class Vcpu
    {
        /// <summary>Size of an FXSAVE image.</summary>
        public const int FpuStateSize = 512;

        /// <summary>DS, ES, FS and GS as the guest last loaded them.</summary>
        public ushort Ds, Es, Fs, Gs;

        /// <summary>The FPU/SSE state while the vCPU is not on a CPU, with 16 bytes of slack so the arch
        /// layer can use a 16-byte aligned window of it (<see cref="FpuStateOffset"/>).</summary>
        public readonly byte[] FpuState = NewFpuState();

        /// <summary>Where the aligned image starts in <see cref="FpuState"/>; set by whoever first needs it.</summary>
        public int FpuStateOffset = -1;

        /// <summary>The vCPU has run or was given an FPU state; until then the arch layer gives it a
        /// freshly initialised FPU (FNINIT and the default MXCSR), as Xen does.</summary>
        public bool FpuInitialised;

        private static byte[] NewFpuState() => new byte[FpuStateSize + 16];
    }
}
