using System.Runtime;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>What the first vCPU and the second share (offsets used by smp_second.asm).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 176)]
    internal struct SecondVcpuBlock
    {
        /// <summary>What the second vCPU does (<see cref="SecondVcpu"/> modes); it copies it to
        /// <see cref="ModeSeen"/> each time round its loop.</summary>
        [FieldOffset(0)] public ulong Mode;
        /// <summary>Turns of its loop (SPIN, EVENTS, WATCH).</summary>
        [FieldOffset(8)] public ulong Spins;
        [FieldOffset(16)] public ulong Started;
        /// <summary>Polls that found the port pending (POLL).</summary>
        [FieldOffset(24)] public ulong Wakes;
        /// <summary>Event upcalls taken (EVENTS).</summary>
        [FieldOffset(32)] public ulong Upcalls;
        [FieldOffset(40)] public ulong Port;
        /// <summary>Guest addresses of the port's pending word and of the second vCPU's vcpu_info fields.</summary>
        [FieldOffset(48)] public ulong PendingWord;
        [FieldOffset(56)] public ulong UpcallPending;
        [FieldOffset(64)] public ulong UpcallMask;
        [FieldOffset(72)] public ulong PendingSelector;
        /// <summary>The address read over and over in WATCH mode, and the last value read there.</summary>
        [FieldOffset(80)] public ulong WatchAddress;
        [FieldOffset(88)] public ulong WatchSeen;
        [FieldOffset(96)] public SchedPoll Poll;
        [FieldOffset(120)] public uint PollPort;
        [FieldOffset(128)] public ulong ModeSeen;
        /// <summary>DESCRIPTOR: the address of the frame list for set_gdt, what set_gdt returned (once it
        /// is done), the selector read with LSL over and over, and the last limit LSL gave (~0: refused).</summary>
        [FieldOffset(136)] public ulong GdtList;
        [FieldOffset(144)] public long GdtResult;
        [FieldOffset(152)] public ulong GdtDone;
        [FieldOffset(160)] public ulong Selector;
        [FieldOffset(168)] public ulong LimitSeen;
    }

    /// <summary>
    /// dom0's vCPU 1, started on the kit's own page tables with a stack and the code of smp_second.asm:
    /// a loop that counts (SPIN), counts with events open (EVENTS, its upcalls counted by its own
    /// callback), polls an event port (POLL), reads one address over and over (WATCH) or, with a GDT of
    /// its own, the limit of one of its descriptors (DESCRIPTOR).
    /// </summary>
    internal static unsafe class SecondVcpu
    {
        public const uint Id = 1;
        public const ulong Spin = 0, Poll = 1, Watch = 2, Events = 3, Descriptor = 4;
        private const ulong StackPages = 4;
        private const ulong InterruptFlag = 1UL << 9;

        [RuntimeImport("smp_second_entry_address"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern ulong EntryAddress();

        [RuntimeImport("smp_second_callback_address"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern ulong CallbackAddress();

        public static SecondVcpuBlock* Block;

        /// <summary>The block, with the addresses the second vCPU needs filled in (shared info mapped).</summary>
        public static void PrepareBlock(uint port)
        {
            Block = (SecondVcpuBlock*)GuestMemory.AllocatePages(1);
            SharedInfo* shared = SharedInfoPage.Get();
            VcpuInfo* info = SharedInfo.VcpuInfoOf(shared, (int)Id);
            Block->Mode = Spin;
            Block->Port = port;
            Block->PollPort = port;
            Block->PendingWord = (ulong)shared + SharedInfo.EvtchnPendingOffset + port / 64 * 8;
            Block->UpcallPending = (ulong)&info->EvtchnUpcallPending;
            Block->UpcallMask = (ulong)&info->EvtchnUpcallMask;
            Block->PendingSelector = (ulong)&info->EvtchnPendingSel;
            Block->Poll.Ports = (ulong)&Block->PollPort;
            Block->Poll.NrPorts = 1;
            Block->Poll.Timeout = 0;
        }

        /// <summary>A context for VCPUOP_initialise: guest kernel mode on the kit's page tables, at the loop
        /// with RDI the block, events masked, its event callback registered.</summary>
        public static VcpuGuestContext* Context()
        {
            var context = (VcpuGuestContext*)GuestMemory.AllocatePages(2);
            byte* bytes = (byte*)context;
            for (int i = 0; i < sizeof(VcpuGuestContext); i++)
                bytes[i] = 0;
            *(ushort*)context->FpuCtxt = 0x037F;            // FCW
            *(uint*)(context->FpuCtxt + 24) = 0x1F80;       // MXCSR
            ulong stackTop = (ulong)GuestMemory.AllocatePages(StackPages) + StackPages * 4096;
            context->Flags = VcpuGuestContextFlags.InKernel | VcpuGuestContextFlags.I387Valid;
            context->UserRegs.Rip = EntryAddress();
            context->UserRegs.Rsp = stackTop;
            context->UserRegs.Rdi = (ulong)Block;
            context->UserRegs.Cs = FlatSelector.KernelCs;
            context->UserRegs.Ss = FlatSelector.KernelSs;
            context->UserRegs.Rflags = InterruptFlag;
            context->KernelSs = FlatSelector.KernelSs;
            context->KernelSp = stackTop;
            context->CtrlReg[3] = MachineFrames.Of(StartOfDay.StartInfo->PtBase) << 12;
            context->EventCallbackEip = CallbackAddress();
            context->FailsafeCallbackEip = CallbackAddress();
            return context;
        }

        /// <summary>Switches the second vCPU's loop; true once it runs the new mode.</summary>
        public static bool SetMode(ulong mode)
        {
            Block->Mode = mode;
            return WaitUntilModeIs(mode, 1_000_000_000);
        }

        private static bool WaitUntilModeIs(ulong mode, ulong timeout)
        {
            ulong deadline = GuestClock.Now() + timeout;
            while (Block->ModeSeen != mode)
            {
                if (GuestClock.Now() > deadline)
                    return false;
            }
            return true;
        }

        /// <summary>Waits until <paramref name="field"/> differs from <paramref name="before"/>; the time
        /// it took in ns, or ulong.MaxValue after <paramref name="timeout"/> ns.</summary>
        public static ulong WaitForChange(ulong* field, ulong before, ulong timeout)
        {
            ulong start = GuestClock.Now();
            while (true)
            {
                ulong now = GuestClock.Now();
                if (*field != before)
                    return now - start;
                if (now - start > timeout)
                    return ulong.MaxValue;
            }
        }

        public static long IsUp() => Hypercalls.VcpuOp(VcpuOp.IsUp, Id, null);

        public static int RunstateOf(uint vcpu)
        {
            VcpuRunstateInfo info;
            long rc = Hypercalls.VcpuOp(VcpuOp.GetRunstateInfo, vcpu, &info);
            return rc == 0 ? info.State : -1;
        }
    }
}
