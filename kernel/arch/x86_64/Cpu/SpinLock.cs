using System.Runtime.CompilerServices;

namespace Hypervisor.Arch.X86_64
{
    // A ticket lock: CPUs get the lock in the order they asked for it (no CPU starves), spinning with
    // pause. For data several CPUs share in the hypervisor, where a critical section is short. It does
    // not disable interrupts: code that an interrupt handler on the same CPU may also lock must use
    // AcquireWithInterruptsOff, or the handler would spin forever on its own CPU's ticket.
    //
    // The lock must stay where it is while held: a field of a static, an object (objects never move in
    // this runtime) or a PerCpu block, used through a ref; never a copy.
    internal unsafe struct SpinLock
    {
        private int nextTicket;
        private int nowServing;

        public void Acquire()
        {
            int* next = (int*)Unsafe.AsPointer(ref nextTicket);
            int* serving = (int*)Unsafe.AsPointer(ref nowServing);
            int ticket = Cpu.AtomicFetchAdd(next, 1);
            while (Cpu.AtomicLoad(serving) != ticket)
                Cpu.Pause();
        }

        /// <summary>True when the lock was free and is now held.</summary>
        public bool TryAcquire()
        {
            int* next = (int*)Unsafe.AsPointer(ref nextTicket);
            int serving = Cpu.AtomicLoad((int*)Unsafe.AsPointer(ref nowServing));
            return Cpu.AtomicCompareExchange(next, serving, serving + 1) == serving;
        }

        public void Release()
        {
            int* serving = (int*)Unsafe.AsPointer(ref nowServing);
            Cpu.AtomicStore(serving, Cpu.AtomicLoad(serving) + 1);   // only the holder writes it
        }

        /// <summary>Disables interrupts, then acquires; returns whether they were enabled, for
        /// <see cref="ReleaseAndRestoreInterrupts"/>.</summary>
        public bool AcquireWithInterruptsOff()
        {
            bool enabled = (Cpu.ReadFlags() & (1UL << 9)) != 0;
            Cpu.DisableInterrupts();
            Acquire();
            return enabled;
        }

        public void ReleaseAndRestoreInterrupts(bool enabled)
        {
            Release();
            if (enabled)
                Cpu.EnableInterrupts();
        }

        /// <summary>Whether some CPU holds the lock (for assertions; stale as soon as read).</summary>
        public bool IsHeld =>
            Cpu.AtomicLoad((int*)Unsafe.AsPointer(ref nextTicket)) != Cpu.AtomicLoad((int*)Unsafe.AsPointer(ref nowServing));
    }
}
