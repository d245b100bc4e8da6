using System;
using System.Runtime;
using System.Runtime.CompilerServices;
using Hypervisor.Core;
using Hypervisor.Core.Boot;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Events;
using Hypervisor.Core.Hypercalls;
using Hypervisor.Core.Memory;
using Hypervisor.Core.Time;
using Hypervisor.Core.Text;

namespace Hypervisor.Arch.X86_64
{
    // Runs vCPUs in ring 3 on every online CPU and takes them back on every exit. Each CPU has its own
    // schedule loop: it asks the credit scheduler (with its CPU index) what to run, runs it until an
    // exit, its slice or tick, or a request of another CPU, and runs its idle vCPU (hlt with interrupts
    // open) when nothing can run. Entries from a guest save the frame straight into the vCPU's register
    // file (this CPU's TSS RSP0 points just past it), where the core works on it; the exit path resumes
    // from there, after the core's changes of mode (page-table base, GS base) and of CR0.TS have been
    // applied to the CPU. Nothing is copied.
    //
    // Every exit holds the core lock (CoreLock) from before it reaches the core until the exit path has
    // switched FPU state, so the core and the scheduler see one CPU at a time. What a CPU has loaded
    // (GuestCpu) is its own.
    internal static unsafe class GuestExecution
    {
        private const ulong IdleStackBytes = 8 * FrameAllocator.FrameSize;
        /// <summary>The idle loop's own interrupt, for a batch of scrubbing (IDLE_SCRUB_VECTOR in
        /// asm/percpu.inc). Its gate is ring 0 only: a guest's "int 0xF2" is a #GP.</summary>
        public const int IdleScrubVector = 0xF2;
        private const ulong InterruptFlag = 1UL << 9;
        private const ulong ReservedFlag = 1UL << 1;

        private static GuestCpu[] s_cpus;
        private static Host s_host;
        private static Domain s_controlDomain;
        private static LogWriter s_log;
        private static HypervisorOptions s_options;
        private static ulong s_idleLoop;
        // The state of the CPU that holds the core lock: every path that takes the lock sets it first,
        // and only code under the lock reads it, so the core's calls into the platform (a mode switch's
        // tables, a guest copy through the loaded tables) find their CPU without asking the CPU which
        // it is. Not a "current" of the machine: one CPU's, while it holds the lock.
        // (An index, not a reference: a reference store into a static is a write-barrier call.)
        private static int s_lockHolder = -1;
        private static void* s_lockHolderCpu;

        /// <summary>Each online CPU's state, by index; null until guests run.</summary>
        public static GuestCpu[] Cpus => s_cpus;

        public static LogWriter Log => s_log;

        /// <summary>The boot CPU, once dom0 is built: every online CPU starts its schedule loop (the others
        /// through their WakeHook), dom0's first vCPU queued. Never returns.</summary>
        public static void Run(Vcpu first, LogWriter log, HypervisorOptions options)
        {
            s_log = log;
            s_options = options;
            Host host = first.Domain.Host;
            s_host = host;
            s_controlDomain = first.Domain;
            GuestRegisters* frame = RegisterFile(first);
            if (((ulong)frame & 15) != 0)
            {
                log.Error().Text("the register file of vCPU ").Dec((ulong)first.Id).Text(" is not 16-byte aligned (").Hex((ulong)frame)
                   .Text("): the runtime's allocator must align array elements").End();
                Stop(first.Domain);
            }
            int count = PerCpu.CpuCount;
            var cpus = new GuestCpu[count];
            for (int i = 0; i < count; i++)
            {
                if (!host.Frames.TryAllocateContiguous(IdleStackBytes / FrameAllocator.FrameSize, 1, out ulong stack))
                {
                    log.Error().Text("no memory for the idle stacks of the CPUs").End();
                    Stop(first.Domain);
                }
                cpus[i] = new GuestCpu(i, PerCpu.Of(i), (ulong)PhysicalWindow.ToVirtual(stack) + IdleStackBytes);
                PerCpu.Of(i)->Guest = Unsafe.AsPointer(cpus[i]);
            }
            s_idleLoop = Cpu.IdleLoopAddress();
            s_cpus = cpus;
            Cpu.MemoryFence();

            CoreLock.Acquire();
            first.Domain.State = DomainState.Running;
            host.Scheduler.Wake(first, SystemTime.Now(host));
            for (int i = 1; i < count; i++)
            {
                PerCpu.Of(i)->WakeHook = &StartOnThisCpu;
                InterProcessorInterrupts.Wake(i);
            }
            Start(cpus[0]);
        }

        // An application processor, from its start-of-day idle loop (interrupts off).
        private static void StartOnThisCpu(int index)
        {
            CoreLock.Acquire();
            Start(s_cpus[index]);
        }

        // Holding the core lock: the CPU's first decision, then into what it chose.
        private static void Start(GuestCpu cpu)
        {
            NoteLockHolder(cpu.Block);
            LoadHypervisorTables(cpu);
            TrapFrame* frame = ContinueSlowly(cpu, null, null);
            Cpu.Resume(frame);
        }

        // The calling CPU has just taken the core lock: code under it finds this CPU's state from here.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void NoteLockHolder(PerCpu* block)
        {
            s_lockHolder = block->Index;
            s_lockHolderCpu = block->Guest;
        }

        // The GuestCpu whose address a PerCpu block holds.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static GuestCpu GuestCpuAt(void* address) => Unsafe.As<IntPtr, GuestCpu>(ref *(IntPtr*)&address);

        /// <summary>The frame table owes this CPU's TLB a flush (the holder of the core lock's): the way
        /// back to the guest goes through <see cref="ContinueSlowly"/>, which makes it.</summary>
        public static void LocalFlushOwed()
        {
            int holder = s_lockHolder;
            if (holder >= 0)
                s_cpus[holder].Attention |= GuestCpu.FlushOwed;
        }

        /// <summary>The state of the calling CPU, which holds the core lock (null before guests run).</summary>
        public static GuestCpu LockHolder
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get
            {
                void* holder = s_lockHolderCpu;
                return holder == null ? null : GuestCpuAt(holder);
            }
        }

        /// <summary>The guest table in the calling CPU's CR3, for code under the core lock (0: none, or
        /// guests do not run yet).</summary>
        public static ulong LoadedTableFrameHere
        {
            [MethodImpl(MethodImplOptions.AggressiveInlining)]
            get
            {
                void* holder = s_lockHolderCpu;
                return holder == null ? 0 : GuestCpuAt(holder).LoadedTableFrame;
            }
        }

        // From TrapDispatcher, for a guest's exception (the entry code took the core lock): the frame is
        // the running vCPU's register file. Returns the frame to resume.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static TrapFrame* OnExit(TrapFrame* frame, PerCpu* block)
        {
            // NoteLockHolder written out: with the helper (inlined all the same) the exit paths' code
            // came out differently and the null hypercall measured about 1100 cycles instead of 650.
            s_lockHolder = block->Index;
            s_lockHolderCpu = block->Guest;
            GuestCpu cpu = GuestCpuAt(block->Guest);
            Vcpu vcpu = cpu.Current;
            if ((cpu.Attention & GuestCpu.TablesForgotten) == 0)
            {
                ulong cr2 = frame->Vector == 14 ? Cpu.ReadCr2() : 0;
                GuestTrapHandler.Handle(vcpu, cr2);
            }
            return Continue(cpu, vcpu);
        }

        // From asm/traps.asm's SYSCALL entry (the core lock taken): a hypercall from guest kernel mode, or
        // the guest's own system call from its user mode. The frame is the running vCPU's register file.
        [RuntimeExport("hv_syscall")]
        private static TrapFrame* OnSyscall(TrapFrame* frame, PerCpu* block)
        {
            // NoteLockHolder written out: with the helper (inlined all the same) the exit paths' code
            // came out differently and the null hypercall measured about 1100 cycles instead of 650.
            s_lockHolder = block->Index;
            s_lockHolderCpu = block->Guest;
            GuestCpu cpu = GuestCpuAt(block->Guest);
            Vcpu vcpu = cpu.Current;
            if ((cpu.Attention & GuestCpu.TablesForgotten) == 0)
            {
                if (vcpu.InKernelMode)
                    HypercallDispatcher.Dispatch(vcpu);
                else
                    GuestTrapHandler.Handle(vcpu, 0);
            }
            return Continue(cpu, vcpu);
        }

        // From TrapDispatcher, the timer's interrupt (acknowledged). In a guest or in the idle loop it is
        // that vCPU's exit: fire what is due, end the slice if its time has come. Anywhere else the CPU
        // is waiting for the core lock: the work is left for when it has it.
        public static TrapFrame* OnTimer(TrapFrame* frame, PerCpu* block)
        {
            if (s_cpus == null)
                return frame;   // start of day: the boot CPU's tick, another CPU's timer check
            GuestCpu cpu = s_cpus[block->Index];
            cpu.Raise(GuestCpu.TimerExpired);
            bool fromGuest = (frame->Cs & 3) == 3;
            if (!fromGuest && !cpu.InIdle)
                return frame;
            cpu.InIdle = false;
            CoreLock.Acquire();
            NoteLockHolder(cpu.Block);
            return ContinueSlowly(cpu, cpu.Current, fromGuest ? null : frame);
        }

        // From InterProcessorInterrupts (acknowledged): serves what other CPUs asked without the core
        // lock (one of them may hold it and wait for this), then comes through the core. In a guest the
        // CPU joins the queue for the lock before it answers, so that it gets the lock before the asking
        // CPU's next exit (a pause then finds the vCPU saved).
        public static TrapFrame* OnIpi(TrapFrame* frame, PerCpu* block)
        {
            GuestCpu cpu = s_cpus[block->Index];
            if ((frame->Cs & 3) == 3)
            {
                int ticket = CoreLock.TakeTicket();
                CrossCpuRequests.Serve(cpu);
                CoreLock.WaitFor(ticket);
                NoteLockHolder(cpu.Block);
                return ContinueSlowly(cpu, cpu.Current, null);
            }
            if (cpu.InIdle)
            {
                cpu.InIdle = false;
                CrossCpuRequests.Serve(cpu);
                CoreLock.Acquire();
                NoteLockHolder(cpu.Block);
                return ContinueSlowly(cpu, null, frame);
            }
            CrossCpuRequests.Serve(cpu);
            return frame;
        }

        // From TrapDispatcher: the idle loop asks for a batch of scrubbing (frames given back wait for it). As an
        // interrupt of the idle loop: the core lock, then the scheduler first; the batch is scrubbed only
        // if the CPU stays idle (ContinueSlowly), and the lock goes back on the way out, batch by batch.
        public static TrapFrame* OnIdleScrub(TrapFrame* frame, PerCpu* block)
        {
            GuestCpu cpu = s_cpus == null ? null : s_cpus[block->Index];
            if (cpu == null || !cpu.InIdle)
            {
                block->IdleScrubPending = 0;
                return frame;
            }
            cpu.InIdle = false;
            CoreLock.Acquire();
            NoteLockHolder(cpu.Block);
            cpu.ScrubIfIdle = true;
            return ContinueSlowly(cpu, null, frame);
        }

        // After a vCPU's exit was handled (the core lock held). The common case, checked with as few
        // branches as may be (under an emulator each is a block of its own): nothing asked of this CPU,
        // the vCPU can go on, no timer or TLB work; then only a due event upcall and the resume.
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static TrapFrame* Continue(GuestCpu cpu, Vcpu vcpu)
        {
            Host host = s_host;
            if ((cpu.Attention | (host.TimersChanged ? 1 : 0)) == 0 && vcpu.IsRunnable)
            {
                // An upcall is due when vcpu_info's pending byte is set and its mask byte clear (read
                // together, as one word, straight from the direct map). Its delivery may crash the
                // domain (a bad stack); the vCPU was runnable, so its domain was alive before.
                if (IsUpcallDue(*(ushort*)PhysicalWindow.ToVirtual(vcpu.VcpuInfoAddress)))
                {
                    EventUpcall.DeliverIfDue(vcpu);
                    if (!vcpu.Domain.IsAlive)
                        return ContinueSlowly(cpu, vcpu, null);
                }
                if (Resume(cpu, vcpu))
                    return (TrapFrame*)RegisterFile(vcpu);
            }
            return ContinueSlowly(cpu, vcpu, null);
        }

        // The general case (the core lock held): let the scheduler choose when the vCPU cannot go on, its
        // slice is over, or a woken vCPU should preempt it; fire due timers; deliver a due event upcall
        // and resume what runs, or the idle loop (vcpu null: this CPU ran its idle vCPU; idleFrame, when
        // not null, is where it was interrupted).
        private static TrapFrame* ContinueSlowly(GuestCpu cpu, Vcpu vcpu, TrapFrame* idleFrame)
        {
            Host host = s_host;
            cpu.Attention &= ~(GuestCpu.TablesForgotten | GuestCpu.FlushOwed);
            if (host.Frames.FramesToScrubWhenIdle != 0)
                AskIdleCpusToScrub(cpu);
            while (true)
            {
                if ((cpu.Attention & GuestCpu.TimerExpired) != 0)
                    OnTimerExpired(cpu, host);
                if (vcpu == null || !vcpu.IsRunnable || (cpu.Attention & GuestCpu.Reschedule) != 0)
                    vcpu = Schedule(cpu, vcpu, host);
                else if (host.TimersChanged || (cpu.Attention & GuestCpu.RearmTimer) != 0)
                    ArmTimer(cpu, host, SystemTime.Now(host));
                if (vcpu == null)
                {
                    if (cpu.ScrubIfIdle)
                        host.Frames.ScrubSome(FrameAllocator.IdleScrubBatch);
                    cpu.ScrubIfIdle = false;
                    return EnterIdle(cpu, idleFrame);
                }
                cpu.ScrubIfIdle = false;
                // A frame changed type or went back to the allocator: no stale translation of this CPU's
                // may reach the guest (the memory hypercalls flush for themselves; this is for the rest).
                FrameTable frames = host.FrameTable;
                if (frames.TlbFlushPending)
                {
                    Cpu.WriteCr3(Cpu.ReadCr3());
                    frames.ClearTlbFlushPending();
                }
                if (IsUpcallDue(*(ushort*)PhysicalWindow.ToVirtual(vcpu.VcpuInfoAddress)))
                    EventUpcall.DeliverIfDue(vcpu);
                if (vcpu.Domain.IsAlive && Resume(cpu, vcpu))
                    return (TrapFrame*)RegisterFile(vcpu);
                // The registers could not be resumed: its domain has been crashed; run something else.
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static bool IsUpcallDue(ushort pendingAndMask) => (pendingAndMask & 0xFF) != 0 && (pendingAndMask & 0xFF00) == 0;

        // The timer fired on this CPU: what is due fires, and the scheduler is asked again if this CPU's
        // time (slice or tick) has come; otherwise the timer is armed again.
        private static void OnTimerExpired(GuestCpu cpu, Host host)
        {
            cpu.Attention &= ~GuestCpu.TimerExpired;
            ulong now = SystemTime.Now(host);
            VcpuTimers.Expire(host, now);
            if (now >= cpu.RunUntil)
                cpu.Attention |= GuestCpu.Reschedule;
            else
                ArmTimer(cpu, host, now);
        }

        // Asks the scheduler what this CPU runs next (null: its idle vCPU) and switches to it. The
        // machine stops when dom0 has.
        private static Vcpu Schedule(GuestCpu cpu, Vcpu current, Host host)
        {
            if (!s_controlDomain.IsAlive)
                Stop(s_controlDomain);
            ulong now = SystemTime.Now(host);
            VcpuTimers.Expire(host, now);
            cpu.Attention &= ~GuestCpu.Reschedule;   // what woke so far is in the queues PickNext looks at
            Vcpu next = host.Scheduler.PickNext(cpu.Index, current, now, out cpu.RunUntil);
            int idle = host.Scheduler.IdleCpuFor(cpu.Index);
            if (idle >= 0)
                CrossCpuRequests.RequestReschedule(idle);   // something waits here that an idle CPU can take
            ArmTimer(cpu, host, now);
            if (next != current)
                SwitchTo(cpu, current, next);
            return next;
        }

        // Programs this CPU's timer for the earliest of the guest timers, poll timeouts and watchdogs it
        // looks after (VcpuTimers.NextDeadline: those of the vCPUs the scheduler keeps on it), or its
        // scheduler's next decision. A change of timers (TimersChanged) may concern a vCPU of another CPU:
        // a CPU whose timer is now armed too late is asked to arm it again.
        private static void ArmTimer(GuestCpu cpu, Host host, ulong now)
        {
            ulong next = VcpuTimers.NextDeadline(host, cpu.Index);
            if (cpu.RunUntil < next)
                next = cpu.RunUntil;
            ulong wait = next > now ? next - now : 0;
            if (wait > LocalApic.MaxOneShotNanoseconds)
                wait = LocalApic.MaxOneShotNanoseconds;
            LocalApic.ArmOneShot(wait);
            cpu.ArmedFor = now + wait;
            cpu.Attention &= ~GuestCpu.RearmTimer;
            if (host.TimersChanged)
            {
                host.TimersChanged = false;
                GuestCpu[] cpus = s_cpus;
                for (int i = 0; i < cpus.Length; i++)
                {
                    GuestCpu other = cpus[i];
                    if (other != cpu && VcpuTimers.NextDeadline(host, i) < other.ArmedFor)
                    {
                        other.Raise(GuestCpu.RearmTimer);
                        CrossCpuRequests.Notify(i);
                    }
                }
            }
        }

        // The idle vCPU's frame: the idle loop on this CPU's idle stack, interrupts open (or the frame an
        // interrupt of the idle loop came from, to go on where it was).
        private static TrapFrame* EnterIdle(GuestCpu cpu, TrapFrame* interrupted)
        {
            cpu.InIdle = true;
            cpu.Block->IdleScrubPending = s_host.Frames.FramesToScrubWhenIdle != 0 ? (byte)1 : (byte)0;
            if (interrupted != null)
                return interrupted;
            TrapFrame* frame = (TrapFrame*)(cpu.IdleStackTop - (ulong)sizeof(TrapFrame));
            byte* bytes = (byte*)frame;
            for (int i = 0; i < sizeof(TrapFrame); i++)
                bytes[i] = 0;
            frame->Rip = s_idleLoop;
            frame->Cs = DescriptorTables.HypervisorCs;
            frame->Rflags = InterruptFlag | ReservedFlag;
            frame->Rsp = cpu.IdleStackTop;
            frame->Ss = DescriptorTables.HypervisorDs;
            return frame;
        }

        // Free frames wait to be scrubbed: other CPUs halted in their idle loop are told (an IPI ends the
        // halt), so they scrub while this one runs its guest. One that was told already is left alone.
        private static void AskIdleCpusToScrub(GuestCpu self)
        {
            GuestCpu[] cpus = s_cpus;
            for (int i = 0; i < cpus.Length; i++)
            {
                GuestCpu other = cpus[i];
                if (other == self || !other.InIdle || other.Block->IdleScrubPending != 0)
                    continue;
                other.Block->IdleScrubPending = 1;
                CrossCpuRequests.Notify(i);
            }
        }

        // What stays in the CPU while a vCPU runs goes with it: data selectors, segment bases (a selector
        // load by the guest may have changed them), its guest descriptors in this CPU's GDT, where the CPU
        // saves its registers on the next exit, and its FPU state (swapped by the exit path, once the
        // XMM registers the hypervisor used are the old guest's again, before the core lock goes: another
        // CPU may pick the old vCPU up as soon as it has the lock). To idle (next null), the CPU moves to
        // the hypervisor's own tables, so that it holds no domain's.
        private static void SwitchTo(GuestCpu cpu, Vcpu previous, Vcpu next)
        {
            ushort* selectors = stackalloc ushort[4];
            void* save = null;
            if (previous != null)
            {
                Cpu.SaveDataSelectors(selectors);
                previous.Ds = selectors[0];
                previous.Es = selectors[1];
                previous.Fs = selectors[2];
                previous.Gs = selectors[3];
                ulong fsBase = Cpu.ReadMsr(Cpu.MsrFsBase), gsBase = Cpu.ReadMsr(Cpu.MsrGsBase);
                if (fsBase != previous.FsBase)
                    previous.FsBase = fsBase;
                if (cpu.LoadedKernelMode && gsBase != previous.GsBaseKernel)
                    previous.GsBaseKernel = gsBase;
                else if (!cpu.LoadedKernelMode && gsBase != previous.GsBaseUser)
                    previous.GsBaseUser = gsBase;
                save = FpuImage(previous);
            }
            cpu.Current = next;
            if (next == null)
            {
                LoadHypervisorTables(cpu);
                if (save != null)
                    Cpu.SetFpuSwitch(save, Cpu.InitialFpuState());
                return;
            }
            VcpuTimeStamps.Stamp(next);           // a fresh time stamp for the vCPU coming in, as Xen's context_switch gives
            int gdtEntries = next.GdtFrameCount * 512;
            int loadEntries = gdtEntries > cpu.LoadedGdtEntries ? gdtEntries : cpu.LoadedGdtEntries;
            if (loadEntries != 0)
                next.Domain.Host.Platform.LoadGuestDescriptors(next, 0, loadEntries);
            cpu.LoadedGdtEntries = gdtEntries;
            selectors[0] = UsableSelector(next.Ds);
            selectors[1] = UsableSelector(next.Es);
            selectors[2] = UsableSelector(next.Fs);
            selectors[3] = UsableSelector(next.Gs);
            Cpu.LoadDataSelectors(selectors);
            next.SegmentBasesChanged = true;      // the selector loads replaced both bases
            if (!next.FpuInitialised)
            {
                InitialFpuImage(next);
                next.FpuInitialised = true;
            }
            Cpu.SetFpuSwitch(save, FpuImage(next));
            GuestRegisters* frame = RegisterFile(next);
            DescriptorTables.SetGuestRegisterFile((ulong)frame, (ulong)sizeof(GuestRegisters));
        }

        private static void* FpuImage(Vcpu vcpu)
        {
            int offset = VcpuContext.AlignedFpuOffset(vcpu);
            fixed (byte* start = vcpu.FpuState)
                return start + offset;   // objects do not move in this runtime
        }

        // FNINIT's state with the default MXCSR, as a vCPU that never ran starts with: the same image the
        // idle vCPU loads (traps.asm).
        private static void InitialFpuImage(Vcpu vcpu)
        {
            System.Buffer.Memmove((byte*)FpuImage(vcpu), (byte*)Cpu.InitialFpuState(), Vcpu.FpuStateSize);
        }

        // A data selector is loaded in ring 0 here, where a bad one would fault in the hypervisor: only a
        // null selector or one naming a present, readable, accessible descriptor of the GDT goes in; any
        // other becomes null (as a fault while loading it would make it on Xen).
        private static ushort UsableSelector(ushort selector)
        {
            if (selector < 4 || (selector & 4) != 0 || (selector >> 3) >= DescriptorTables.GdtBytes / 8)
                return 0;
            ulong descriptor = ((ulong*)DescriptorTables.GdtBase)[selector >> 3];
            bool present = (descriptor & (1UL << 47)) != 0;
            bool segment = (descriptor & (1UL << 44)) != 0;
            bool code = (descriptor & (1UL << 43)) != 0;
            bool conforming = code && (descriptor & (1UL << 42)) != 0;
            bool readable = !code || (descriptor & (1UL << 41)) != 0;
            int dpl = (int)((descriptor >> 45) & 3);
            if (!present || !segment || !readable || (!conforming && dpl < (selector & 3)))
                return 0;
            return selector;
        }

        // Loads what the core decided into the CPU and the frame; false when the registers cannot be
        // resumed (the domain has then been crashed).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static bool Resume(GuestCpu cpu, Vcpu vcpu)
        {
            if (!ResumableState.Check(vcpu))
                return false;
            LoadTables(cpu, GuestMode.CurrentTableFrame(vcpu), vcpu.Domain);
            // Mostly nothing changed: one test for the three cases (each branch is a block under an emulator).
            if ((vcpu.InKernelMode != cpu.LoadedKernelMode) | vcpu.SegmentBasesChanged | (vcpu.TaskSwitched != cpu.LoadedTaskSwitched))
                LoadModeAndBases(cpu, vcpu);
            return true;
        }

        // The live GS base follows the guest's mode; the MSRs are written only when the mode or a base
        // changed (the guest's own selector loads stay in effect otherwise). CR0.TS itself is set by the
        // exit path after its last FPU instruction (asm/traps.asm).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void LoadModeAndBases(GuestCpu cpu, Vcpu vcpu)
        {
            if (vcpu.InKernelMode != cpu.LoadedKernelMode || vcpu.SegmentBasesChanged)
            {
                Cpu.WriteMsr(Cpu.MsrGsBase, GuestMode.CurrentGsBase(vcpu));
                cpu.LoadedKernelMode = vcpu.InKernelMode;
            }
            if (vcpu.SegmentBasesChanged)
            {
                Cpu.WriteMsr(Cpu.MsrFsBase, vcpu.FsBase);
                vcpu.SegmentBasesChanged = false;
            }
            if (vcpu.TaskSwitched != cpu.LoadedTaskSwitched)
            {
                Cpu.SetGuestTaskSwitched(vcpu.TaskSwitched);
                cpu.LoadedTaskSwitched = vcpu.TaskSwitched;
            }
        }

        /// <summary>Puts the guest top-level table <paramref name="tableFrame"/> of
        /// <paramref name="domain"/> in this CPU's CR3, unless it is there already.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void LoadTables(GuestCpu cpu, ulong tableFrame, Domain domain)
        {
            if (tableFrame == cpu.LoadedTableFrame)
                return;
            Cpu.WriteCr3(tableFrame << 12);
            cpu.LoadedTableFrame = tableFrame;
            cpu.LoadedDomainId = domain.Id;
        }

        /// <summary>The hypervisor's own tables in this CPU's CR3 (idle, or leaving a dying domain).</summary>
        public static void LoadHypervisorTables(GuestCpu cpu)
        {
            Cpu.WriteCr3(HypervisorPageTables.RootPhysical);
            cpu.LoadedTableFrame = 0;
            cpu.LoadedDomainId = GuestCpu.NoDomain;
        }

        // Objects never move in this runtime, so the address stays valid.
        private static GuestRegisters* RegisterFile(Vcpu vcpu) => (GuestRegisters*)Unsafe.AsPointer(ref vcpu.Registers);

        // Dom0 has stopped: report, then power off or reboot the machine.
        private static void Stop(Domain domain)
        {
            // A reboot request reboots unless noreboot; a crash powers off unless dom0_crash_reboot.
            bool reboot = domain.State == DomainState.ShutDown
                ? domain.ShutdownReason == (int)Hypervisor.Abi.ShutdownReason.Reboot && !s_options.NoReboot
                : s_options.RebootOnDom0Crash;
            for (int i = 0; i < s_cpus.Length; i++)
                s_log.Debug().Text("CPU ").Dec((ulong)i).Text(": ").Dec(PerCpu.Of(i)->Ticks).Text(" timer interrupts, ")
                    .Dec(PerCpu.Of(i)->IpisReceived).Text(" IPIs").End();
            s_log.Info().Text("dom0 has stopped; ").Text(reboot ? "rebooting" : "powering off").Text(".").End();
            s_log.Sink.Flush();
            if (reboot)
                domain.Host.Platform.Reboot();
            domain.Host.Platform.PowerOff();
            StartOfDay.HaltAfterFailedPowerOff(s_log);
        }
    }
}
