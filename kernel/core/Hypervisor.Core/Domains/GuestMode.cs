using System.Runtime.CompilerServices;

namespace Hypervisor.Core.Domains
{
    /// <summary>Switches a vCPU between guest kernel and guest user mode. Both run in ring 3, so the
    /// mode is the hypervisor's bookkeeping: which top-level table is loaded and which GS base is
    /// live. The tables are loaded at the switch (copies for the guest then reach the new mode's
    /// address space); the arch layer applies both when it resumes the vCPU.</summary>
    public static class GuestMode
    {
        public static void EnterKernel(Vcpu vcpu) => Switch(vcpu, true);

        public static void EnterUser(Vcpu vcpu) => Switch(vcpu, false);

        private static void Switch(Vcpu vcpu, bool kernel)
        {
            if (vcpu.InKernelMode == kernel)
                return;
            vcpu.InKernelMode = kernel;
            vcpu.Domain.Host.Platform.LoadGuestTables(CurrentTableFrame(vcpu));
        }

        /// <summary>The top-level table the vCPU runs on now (user mode falls back to the kernel's
        /// table until the guest sets a user base).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong CurrentTableFrame(Vcpu vcpu)
        {
            if (vcpu.InKernelMode || vcpu.UserTableFrame == 0)
                return vcpu.KernelTableFrame;
            return vcpu.UserTableFrame;
        }

        /// <summary>The GS base live in the current mode.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static ulong CurrentGsBase(Vcpu vcpu) => vcpu.InKernelMode ? vcpu.GsBaseKernel : vcpu.GsBaseUser;
    }
}
