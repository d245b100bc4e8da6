namespace Hypervisor.Core
{
    /// <summary>
    /// What the core asks of the processor and the board, implemented by the arch layer (and by Moq
    /// in tests): TLB maintenance, CPUID, model-specific registers, port I/O, the time-stamp counter
    /// and power control. Nothing else in the core touches an instruction.
    /// </summary>
    public abstract class HostPlatform
    {
        /// <summary>Flushes every non-global TLB entry of the current CPU.</summary>
        public abstract void FlushTlb();

        /// <summary>Drops the TLB entry for one virtual address of the current address space.</summary>
        public abstract void InvalidatePage(ulong virtualAddress);

        // ---- Several CPUs (the defaults are one CPU's: nothing to tell anyone) ----

        /// <summary>The CPU the caller runs on, 0 to <see cref="Host.CpuCount"/> - 1.</summary>
        public virtual int CurrentCpu => 0;

        /// <summary>Flushes the TLB of every other CPU that has page tables of <paramref name="domain"/>
        /// loaded (null: of any domain), and returns once they all have: a translation the caller has
        /// taken away from the tables must not outlive it there.</summary>
        public virtual void FlushOtherCpus(Domains.Domain domain)
        {
        }

        /// <summary>The calling CPU owes its TLB a flush before its guest runs again: the frame table has
        /// set <see cref="Memory.FrameTable.TlbFlushPending"/> (the memory hypercalls flush for themselves;
        /// this tells the arch layer to look for the other paths).</summary>
        public virtual void LocalFlushOwed()
        {
        }

        /// <summary>CPU <paramref name="cpu"/> must ask the scheduler again before it resumes a guest (a
        /// vCPU woke that should run there, or what runs there may not run any more). Another CPU is
        /// interrupted for it; the calling CPU does it before it resumes.</summary>
        public virtual void RequestReschedule(int cpu)
        {
        }

        /// <summary>The vCPU running on CPU <paramref name="cpu"/> has an event to take: another CPU is
        /// interrupted, so that it leaves the guest and delivers it.</summary>
        public virtual void NotifyCpu(int cpu)
        {
        }

        /// <summary>Returns once no other CPU runs a vCPU of <paramref name="domain"/> (whose vCPUs the
        /// caller has made unable to run: paused, dying) and, with <paramref name="forgetTables"/>, once
        /// none has its page tables loaded, so that they can be torn down.</summary>
        public virtual void StopDomainElsewhere(Domains.Domain domain, bool forgetTables)
        {
        }

        /// <summary>The running vCPU switched between guest kernel and guest user mode: load the top-level
        /// table <paramref name="tableFrame"/> now (as Xen's mode toggle does), so that what the hypervisor
        /// still copies for the guest in this exit goes through the new mode's address space directly.
        /// The arch layer loads it again at resume if needed, so doing nothing is also correct.</summary>
        public virtual void LoadGuestTables(ulong tableFrame)
        {
        }

        /// <summary>
        /// Loads entries [<paramref name="firstEntry"/>, + <paramref name="count"/>) of the guest part of
        /// this CPU's GDT (entries below 7168, FIRST_RESERVED_GDT_ENTRY) from <paramref name="vcpu"/>'s GDT:
        /// an entry inside the frames set_gdt installed (<see cref="Domains.Vcpu.GdtFrames"/>,
        /// <see cref="Domains.Vcpu.GdtFrameCount"/>) is copied from its frame, any other entry of the guest
        /// part becomes zero (not present). The frames hold descriptors the frame table has checked and
        /// keeps read-only to the guest. set_gdt reloads the whole guest part; update_descriptor reloads
        /// the one entry it changed, for each vCPU of the domain with the frame in its GDT. The platform
        /// loads them into the GDT of the CPU that runs <paramref name="vcpu"/>, if one does (another CPU
        /// copies them before this returns); a vCPU that does not run gets them when it is switched to.
        /// </summary>
        public abstract void LoadGuestDescriptors(Domains.Vcpu vcpu, int firstEntry, int count);

        /// <summary>Executes CPUID on the host.</summary>
        public abstract void Cpuid(uint leaf, uint subleaf, out uint eax, out uint ebx, out uint ecx, out uint edx);

        public abstract ulong ReadTimeStampCounter();

        /// <summary>TSC ticks per second, as calibrated at boot.</summary>
        public abstract ulong TimeStampFrequency { get; }

        public abstract byte InByte(ushort port);
        public abstract ushort InWord(ushort port);
        public abstract uint InDword(ushort port);
        public abstract void OutByte(ushort port, byte value);
        public abstract void OutWord(ushort port, ushort value);
        public abstract void OutDword(ushort port, uint value);

        /// <summary>Turns the machine off; returns only if that failed.</summary>
        public abstract void PowerOff();

        /// <summary>Resets the machine; returns only if that failed.</summary>
        public abstract void Reboot();
    }
}
