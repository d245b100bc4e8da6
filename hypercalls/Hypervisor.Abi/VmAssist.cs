namespace Hypervisor.Abi
{
    /// <summary>Commands of vm_assist(cmd, type) (xen.h VMASST_CMD_*).</summary>
    public static class VmAssistCommand
    {
        /// <summary><c>VMASST_CMD_enable</c>.</summary>
        public const int Enable = 0;

        /// <summary><c>VMASST_CMD_disable</c>.</summary>
        public const int Disable = 1;
    }

    /// <summary>Assists a guest can turn on with vm_assist (xen.h VMASST_TYPE_*); each is a bit number
    /// in <see cref="VcpuGuestContext.VmAssist"/>.</summary>
    public static class VmAssistType
    {
        /// <summary><c>VMASST_TYPE_4gb_segments</c>: 32-bit guests; emulate full 4 GiB segment limits.</summary>
        public const int FourGbSegments = 0;

        /// <summary><c>VMASST_TYPE_4gb_segments_notify</c>: 32-bit guests; raise vector 15 when the above is used.</summary>
        public const int FourGbSegmentsNotify = 1;

        /// <summary><c>VMASST_TYPE_writable_pagetables</c>: Xen emulates the guest's writes to its
        /// read-only L1 tables (still not to higher levels).</summary>
        public const int WritablePagetables = 2;

        /// <summary><c>VMASST_TYPE_pae_extended_cr3</c>: PAE guests; page directories may live above 4 GiB.</summary>
        public const int PaeExtendedCr3 = 3;

        /// <summary><c>VMASST_TYPE_architectural_iopl</c>: virtual IOPL follows iret and the bounce frames,
        /// with the kernel counted as privilege 0.</summary>
        public const int ArchitecturalIopl = 4;

        /// <summary><c>VMASST_TYPE_runstate_update_flag</c>: Xen sets
        /// <see cref="VcpuRunstate.UpdateFlag"/> while it rewrites a registered runstate area.</summary>
        public const int RunstateUpdateFlag = 5;

        /// <summary><c>VMASST_TYPE_m2p_strict</c>: 64-bit guests; keep the M2P out of user-mode page tables.</summary>
        public const int M2pStrict = 32;
    }
}
