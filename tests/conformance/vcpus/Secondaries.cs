using System.Runtime;
using System.Runtime.CompilerServices;
using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// The peer's secondary vCPUs (1..<see cref="Count"/>-1) and vCPU 0's side of talking to them. A
    /// secondary starts in vcpus_routines.asm on its own stack with its id in RDI and runs
    /// <see cref="Main"/>: it records how it started and its clock, then carries out vCPU 0's orders
    /// (<see cref="Orders"/>) from its <see cref="Mailbox"/>, and between orders waits in SCHEDOP_block
    /// with events open, woken by its kick port (an IPI bound to it). Its event upcall
    /// (<see cref="OnEvent"/>) counts the ports it finds pending among those it owns.
    /// Secondaries never allocate and never print: the kit's heap and console are vCPU 0's.
    /// </summary>
    internal static unsafe class Secondaries
    {
        public const int Count = 4;
        public const ulong StackSize = 0x4000;
        public const ulong WaitNs = 5000000000UL;
        public const ulong SliceNs = 2000000UL;

        [RuntimeImport("vcpus_secondary_entry"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern void EntryRoutine();

        [RuntimeImport("vcpus_event_entry"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern void EventRoutine();

        [RuntimeImport("vcpus_stacks_address"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern byte* StacksAddress();

        private static Mailbox* s_boxes;
        private static uint[] s_kicks = new uint[Count];

        /// <summary>The address a secondary starts at (the same in dom0 and in the peer: one image).</summary>
        public static ulong Entry => (ulong)(delegate*<void>)&EntryRoutine;
        public static ulong EventCallback => (ulong)(delegate*<void>)&EventRoutine;

        /// <summary>The top of vCPU <paramref name="vcpu"/>'s stack.</summary>
        public static ulong StackTop(uint vcpu) => (ulong)StacksAddress() + (vcpu + 1) * StackSize;

        public static Mailbox* Box(uint vcpu) => s_boxes + vcpu;

        /// <summary>The kick port bound to <paramref name="vcpu"/> (0: none yet).</summary>
        public static uint Kick(uint vcpu) => s_kicks[vcpu];

        /// <summary>vCPU 0, before any secondary runs: the mailboxes, each vCPU's vcpu_info in shared_info.</summary>
        public static void Initialise()
        {
            s_boxes = (Mailbox*)GuestMemory.AllocatePages(1);
            SharedInfo* shared = SharedInfoPage.Get();
            for (uint i = 0; i < Count; i++)
                s_boxes[i].VcpuInfo = (ulong)SharedInfo.VcpuInfoOf(shared, (int)i);
        }

        /// <summary>Binds an IPI port to <paramref name="vcpu"/> for its orders; the port or the errno.</summary>
        public static long BindKick(uint vcpu)
        {
            long port = EventChannels.BindIpi(vcpu);
            if (port > 0 && port < Mailbox.TrackedPorts)
            {
                s_kicks[vcpu] = (uint)port;
                Own(vcpu, (uint)port);
            }
            return port;
        }

        /// <summary>The secondary's upcall handles (counts and clears) <paramref name="port"/>.</summary>
        public static void Own(uint vcpu, uint port)
        {
            if (port < Mailbox.TrackedPorts)
                Atomic.TestAndSet(&Box(vcpu)->OwnedPorts, (int)port);
        }

        public static ulong Hits(uint vcpu, uint port) => port < Mailbox.TrackedPorts ? Read(&Box(vcpu)->Hits[port]) : 0;

        /// <summary>A vcpu_guest_context that starts a secondary: kernel mode, not online (VCPUOP_up or the
        /// toolstack's unpause decides), at <see cref="Entry"/> on its own stack with its id in RDI, the page
        /// tables <paramref name="l4Frame"/>, the kit's trap handlers, the secondaries' event callback and
        /// the kit's failsafe callback; events masked until it opens them.</summary>
        public static void FillContext(VcpuGuestContext* context, uint vcpu, ulong l4Frame)
        {
            byte* bytes = (byte*)context;
            for (int i = 0; i < sizeof(VcpuGuestContext); i++)
                bytes[i] = 0;
            context->Flags = VcpuGuestContextFlags.InKernel;
            context->UserRegs.Rip = Entry;
            context->UserRegs.Rsp = StackTop(vcpu);
            context->UserRegs.Rdi = vcpu;
            context->UserRegs.Rflags = 0x202;
            context->UserRegs.Cs = DomainBuilder.KernelCs;
            context->UserRegs.Ss = DomainBuilder.KernelDs;
            context->UserRegs.Ds = DomainBuilder.KernelDs;
            context->UserRegs.Es = DomainBuilder.KernelDs;
            context->UserRegs.Fs = DomainBuilder.KernelDs;
            context->UserRegs.Gs = DomainBuilder.KernelDs;
            context->KernelSs = DomainBuilder.KernelDs;
            context->KernelSp = StackTop(vcpu);
            context->CtrlReg[3] = l4Frame << 12;
            context->EventCallbackEip = EventCallback;
            context->FailsafeCallbackEip = GuestCallbacks.Entry(CallbackType.Failsafe);
            for (int vector = 0; vector < TrapTable.ExceptionVectors; vector++)
            {
                byte* info = context->TrapCtxt + vector * 16;
                bool userMayRaise = vector == TrapNames.Breakpoint || vector == 4;
                info[0] = (byte)vector;
                info[1] = (byte)((userMayRaise ? 3 : 0) | TrapInfoFlags.DisableEvents);
                *(ushort*)(info + 2) = DomainBuilder.KernelCs;
                *(ulong*)(info + 8) = TrapTable.StubAddress(vector);
            }
        }

        // ---- vCPU 0's side ----

        /// <summary>Posts an order and kicks the vCPU; returns its sequence number for <see cref="WaitDone"/>.</summary>
        public static ulong Post(uint vcpu, ulong order, ulong argument, ulong argument2)
        {
            Mailbox* box = Box(vcpu);
            box->Order = order;
            box->Argument = argument;
            box->Argument2 = argument2;
            ulong sequence = Read(&box->Sequence) + 1;
            Write(&box->Sequence, sequence);
            if (s_kicks[vcpu] != 0)
                EventChannels.Send(s_kicks[vcpu]);
            return sequence;
        }

        /// <summary>Waits (polling, so that the others run) until the order is done or
        /// <see cref="WaitNs"/> passed; true when done.</summary>
        public static bool WaitDone(uint vcpu, ulong sequence)
        {
            ulong deadline = GuestClock.Now() + WaitNs;
            while (Read(&Box(vcpu)->Done) != sequence)
            {
                if (GuestClock.Now() >= deadline)
                    return false;
                Sleep(SliceNs);
            }
            return true;
        }

        /// <summary>Waits until the vCPU ran its first C#, or <see cref="WaitNs"/>.</summary>
        public static bool WaitStarted(uint vcpu)
        {
            ulong deadline = GuestClock.Now() + WaitNs;
            while (Read(&Box(vcpu)->Started) == 0)
            {
                if (GuestClock.Now() >= deadline)
                    return false;
                Sleep(SliceNs);
            }
            return true;
        }

        /// <summary>Gives the CPU away for <paramref name="ns"/> of system time (SCHEDOP_poll on no port, events
        /// masked: only the timeout ends it).</summary>
        public static void Sleep(ulong ns) => GuestClock.Sleep(ns);

        /// <summary>A read the compiler may not merge or move: another vCPU writes these.</summary>
        [MethodImpl(MethodImplOptions.NoInlining)]
        public static ulong Read(ulong* p) => *p;

        [MethodImpl(MethodImplOptions.NoInlining)]
        public static void Write(ulong* p, ulong value) => *p = value;

        // ---- the secondary's side ----

        [RuntimeExport("vcpus_secondary_main")]
        private static void Main(ulong id)
        {
            ulong marker = 0;
            uint vcpu = VcpuOfStack((ulong)&marker);
            Mailbox* box = Box(vcpu);
            box->EntryRdi = id;
            box->EntryStack = (ulong)&marker;
            ReadClock(box);
            Write(&box->Started, 1);
            ulong seen = 0;
            while (true)
            {
                VcpuInfo* info = (VcpuInfo*)Read(&box->VcpuInfo);
                ulong sequence = Read(&box->Sequence);
                if (sequence == seen)
                {
                    // Masked while looking, so that a kick handled between the look and the block cannot be
                    // lost: SCHEDOP_block opens events and returns at once if one is pending.
                    info->EvtchnUpcallMask = 1;
                    if (Read(&box->Sequence) == seen)
                        Hypercalls.SchedOp(SchedOp.Block, null);
                    else
                        info->EvtchnUpcallMask = 0;
                    continue;
                }
                seen = sequence;
                info->EvtchnUpcallMask = 0;
                Carry(vcpu, box, sequence);
                Write(&box->Done, sequence);
            }
        }

        private static void Carry(uint vcpu, Mailbox* box, ulong sequence)
        {
            switch (box->Order)
            {
                case Orders.Spin:
                    while (Read(&box->Sequence) == sequence)
                        Write(&box->Spins, Read(&box->Spins) + 1);
                    return;
                case Orders.YieldLoop:
                    {
                        // Both loops start together: with a CPU each, one could otherwise be over
                        // before the other has woken up.
                        Mailbox* sibling = Box((uint)box->Argument2);
                        box->Value = GuestClock.Now();
                        ulong last = Read(&sibling->Spins);
                        Write(&box->Spins, Read(&box->Spins) + 1);
                        ulong giveUp = GuestClock.Now() + WaitNs;
                        while (Read(&sibling->Spins) == last && GuestClock.Now() < giveUp)
                            Hypercalls.SchedOp(SchedOp.Yield, null);
                        last = Read(&sibling->Spins);
                        box->Result = 0;
                        for (ulong i = 0; i < box->Argument; i++)
                        {
                            Write(&box->Spins, Read(&box->Spins) + 1);
                            long result = Hypercalls.SchedOp(SchedOp.Yield, null);
                            if (result != 0)
                                box->Result = result;
                            ulong now = Read(&sibling->Spins);
                            if (now != last)
                                Write(&box->Interleaves, Read(&box->Interleaves) + 1);
                            last = now;
                        }
                        box->Value2 = GuestClock.Now();
                        return;
                    }
                case Orders.Block:
                    box->Result = Hypercalls.SchedOp(SchedOp.Block, null);
                    box->Value = GuestClock.Now();
                    return;
                case Orders.TimerBlock:
                    {
                        uint port = (uint)box->Argument2;
                        ulong before = Hits(vcpu, port);
                        VcpuSetSingleshotTimer set = default;
                        set.TimeoutAbsNs = box->Argument;
                        box->Result = Hypercalls.VcpuOp(VcpuOp.SetSingleshotTimer, vcpu, &set);
                        ulong giveUp = box->Argument + WaitNs;
                        while (Hits(vcpu, port) == before && GuestClock.Now() < giveUp)
                            Hypercalls.SchedOp(SchedOp.Block, null);
                        box->Value = GuestClock.Now();
                        return;
                    }
                case Orders.DownSelf:
                    box->Result = Hypercalls.VcpuOp(VcpuOp.Down, vcpu, null);
                    box->Value = GuestClock.Now();
                    return;
                case Orders.ReadClock:
                    ReadClock(box);
                    return;
            }
        }

        private static void ReadClock(Mailbox* box)
        {
            ulong own = VcpuClock.Now(VcpuClock.Of(Read(&box->VcpuInfo)), out uint version);
            ulong first = VcpuClock.Now(VcpuClock.Of(Read(&Box(0)->VcpuInfo)), out _);
            box->TimeVersion = version;
            box->ClockSkew = (long)(own - first);
        }

        /// <summary>The upcall of a secondary: which vCPU it runs on follows from the stack it is on.</summary>
        [RuntimeExport("vcpus_secondary_event")]
        private static void OnEvent(ulong frame)
        {
            uint vcpu = VcpuOfStack(frame);
            Mailbox* box = Box(vcpu);
            VcpuInfo* info = (VcpuInfo*)Read(&box->VcpuInfo);
            info->EvtchnUpcallPending = 0;
            ulong selector = Atomic.Exchange(&info->EvtchnPendingSel, 0);
            Write(&box->Upcalls, Read(&box->Upcalls) + 1);
            Write(&box->Selectors, Read(&box->Selectors) | selector);
            SharedInfo* shared = SharedInfoPage.Get();
            ulong owned = Read(&box->OwnedPorts);
            for (int port = 0; port < Mailbox.TrackedPorts; port++)
            {
                if ((owned & (1UL << port)) != 0 && Atomic.TestAndClear(&shared->EvtchnPending[0], port))
                    Write(&box->Hits[port], Read(&box->Hits[port]) + 1);
            }
        }

        private static uint VcpuOfStack(ulong address) => (uint)((address - (ulong)StacksAddress()) / StackSize);
    }
}
