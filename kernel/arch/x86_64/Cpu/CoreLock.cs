using System.Runtime;
using System.Runtime.CompilerServices;

namespace Hypervisor.Arch.X86_64
{
    // One lock around the platform-neutral core and the scheduler: every guest exit (hypercall, trap,
    // the timer or an IPI in a guest or in the idle loop) takes it before it reaches the core and gives
    // it back on its way out, after the FPU switch (asm/corelock.asm, asm/traps.asm). The core was
    // written for one CPU; one lock keeps it so, at the price of exits on different CPUs waiting for
    // each other, short next to the time guests run. The frame allocator and the managed heap are only
    // reached from the core (or at start of day, before other CPUs run guests), so they need no lock
    // of their own beyond the heap's (build/runtime).
    //
    // A ticket lock: CPUs get it in the order they asked, which pause relies on (a CPU that has left a
    // guest because of a pause gets the lock, and saves the vCPU, before the pausing CPU's next exit).
    // A CPU waits with interrupts open, so that the holder's requests (CrossCpuRequests: flush the TLB,
    // leave a domain) are served while it waits; the holder never waits for the lock itself.
    internal static unsafe class CoreLock
    {
        [RuntimeImport("core_lock_acquire"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern void AcquireLock();
        [RuntimeImport("core_lock_take_ticket"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern int TakeTicketNow();
        [RuntimeImport("core_lock_wait_for"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern void WaitForTicket(int ticket);
        [RuntimeImport("core_lock_is_held"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern bool IsHeldHere();

        /// <summary>Takes the lock for the calling CPU (interrupts off on return); the way back to a
        /// frame (the exit path, <see cref="Cpu.Resume"/>) gives it back.</summary>
        public static void Acquire() => AcquireLock();

        /// <summary>A place in the queue now; <see cref="WaitFor"/> takes the lock when its turn comes.
        /// For a CPU that must be in the queue before it answers a request of the holder.</summary>
        public static int TakeTicket() => TakeTicketNow();

        public static void WaitFor(int ticket) => WaitForTicket(ticket);

        /// <summary>Whether the calling CPU holds the lock.</summary>
        public static bool IsHeld => IsHeldHere();
    }
}
