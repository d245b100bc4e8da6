using Hypervisor.Core.Domains;

namespace Hypervisor.Arch.X86_64
{
    // What one physical CPU has loaded for the guests it runs: the vCPU (null: its idle vCPU), the guest
    // mode, CR0.TS wish and page tables in effect, the guest descriptors in its GDT, when it must ask the
    // scheduler again, and what happened while it waited for the core lock. One per online CPU
    // (GuestExecution.CpuOf); each CPU changes its own, under the core lock, or lock-free from its own
    // interrupts (InterProcessorInterrupts). Another CPU reads Current and LoadedDomainId, holding the
    // core lock: then they only change at its request.
    internal sealed unsafe class GuestCpu
    {
        public GuestCpu(int index, PerCpu* block, ulong idleStackTop)
        {
            Index = index;
            Block = block;
            IdleStackTop = idleStackTop;
        }

        public readonly int Index;
        public readonly PerCpu* Block;

        /// <summary>The vCPU this CPU runs; null while it runs its idle vCPU.</summary>
        public Vcpu Current;
        /// <summary>System time at which the scheduler must be asked again (end of slice or tick).</summary>
        public ulong RunUntil = ulong.MaxValue;
        /// <summary>System time the local APIC timer is armed for (ulong.MaxValue: only its longest wait).</summary>
        public ulong ArmedFor = ulong.MaxValue;

        /// <summary>The guest top-level table in CR3 (0: the hypervisor's own tables) and its domain's id
        /// (<see cref="NoDomain"/> then; an id, not a reference, so that loading tables stores no reference,
        /// which costs a write-barrier call). Only GuestExecution and the leave-domain request load tables,
        /// so this copy saves reading CR3 on every exit.</summary>
        public ulong LoadedTableFrame;
        public int LoadedDomainId = NoDomain;
        public const int NoDomain = -1;
        /// <summary>The GS base in the MSR is the kernel's (true) or the user's.</summary>
        public bool LoadedKernelMode;
        public bool LoadedTaskSwitched;
        /// <summary>Entries of the guest part of this CPU's GDT that may be non-zero.</summary>
        public int LoadedGdtEntries;

        /// <summary>Work for this CPU before it resumes a guest (bits below; 0 on the fast path). Set with
        /// <see cref="Raise"/> by any CPU (the holder of the core lock, or this one's interrupts while it
        /// waits for the lock); cleared by this CPU under the lock, interrupts off.</summary>
        public int Attention;
        /// <summary>Ask the scheduler again (a vCPU woke that should run here, what runs here may not).</summary>
        public const int Reschedule = 1;
        /// <summary>The timer fired while this CPU waited for the core lock: its work is still to do.</summary>
        public const int TimerExpired = 2;
        /// <summary>Another CPU made this one leave the running vCPU's page tables (its domain is being
        /// destroyed): the exit it was about to handle is dropped.</summary>
        public const int TablesForgotten = 4;
        /// <summary>The frame table asked for a flush of this CPU's TLB before the guest runs again.</summary>
        public const int FlushOwed = 8;
        /// <summary>A timer this CPU looks after changed on another CPU: arm the timer again.</summary>
        public const int RearmTimer = 16;

        public void Raise(int bits)
        {
            fixed (int* attention = &Attention)
                Cpu.AtomicOr(attention, bits);   // objects do not move in this runtime
        }

        /// <summary>The idle vCPU was interrupted (its frame is the one an interrupt came from).</summary>
        public bool InIdle;

        /// <summary>The idle loop asked for a batch of scrubbing (GuestExecution.OnIdleScrub): scrubbed if
        /// the scheduler leaves the CPU idle.</summary>
        public bool ScrubIfIdle;

        /// <summary>The id of the domain whose tables a Leave request names (CrossCpuRequests).</summary>
        public int LeaveDomainId = NoDomain;

        /// <summary>The stack of the idle vCPU (and of the interrupts it takes).</summary>
        public readonly ulong IdleStackTop;
    }
}
