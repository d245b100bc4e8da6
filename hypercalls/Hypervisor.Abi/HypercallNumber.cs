namespace Hypervisor.Abi
{
    /// <summary>Hypercall numbers (xen.h, __HYPERVISOR_*). A 64-bit PV guest calls
    /// hypercall_page + number * 32 with the number in RAX and arguments in RDI, RSI, RDX, R10, R8.</summary>
    public static class HypercallNumber
    {
        public const int SetTrapTable = 0;
        public const int MmuUpdate = 1;
        public const int SetGdt = 2;
        public const int StackSwitch = 3;
        public const int SetCallbacks = 4;
        public const int FpuTaskswitch = 5;
        public const int SchedOpCompat = 6;
        public const int PlatformOp = 7;
        public const int SetDebugreg = 8;
        public const int GetDebugreg = 9;
        public const int UpdateDescriptor = 10;
        public const int MemoryOp = 12;
        public const int Multicall = 13;
        public const int UpdateVaMapping = 14;
        public const int SetTimerOp = 15;
        public const int EventChannelOpCompat = 16;
        public const int XenVersion = 17;
        public const int ConsoleIo = 18;
        public const int PhysdevOpCompat = 19;
        public const int GrantTableOp = 20;
        public const int VmAssist = 21;
        public const int UpdateVaMappingOtherdomain = 22;
        public const int Iret = 23;
        public const int VcpuOp = 24;
        public const int SetSegmentBase = 25;
        public const int MmuextOp = 26;
        public const int XsmOp = 27;
        public const int NmiOp = 28;
        public const int SchedOp = 29;
        public const int CallbackOp = 30;
        public const int XenoprofOp = 31;
        public const int EventChannelOp = 32;
        public const int PhysdevOp = 33;
        public const int HvmOp = 34;
        public const int Sysctl = 35;
        public const int Domctl = 36;
        public const int Kexec = 37;

        /// <summary>tmem_op: transcendent memory, removed from Xen (4.13); the number stays reserved.</summary>
        public const int TmemOp = 38;
        public const int ArgoOp = 39;
        public const int XenpmuOp = 40;
        public const int DmOp = 41;
        public const int HypfsOp = 42;

        /// <summary>__HYPERVISOR_arch_0: first of eight architecture-specific numbers (48..55); x86 uses
        /// it for machine-check operations (__HYPERVISOR_mca).</summary>
        public const int Arch0 = 48;

        /// <summary>Slots in the hypercall page: one 32-byte stub per number.</summary>
        public const int PageSlots = 128;

        /// <summary>Bytes per stub in the hypercall page.</summary>
        public const int StubSize = 32;
    }
}
