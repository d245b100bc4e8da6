namespace Hypervisor.Arch.X86_64
{
    // The receiving side of IPIs (LocalApic.SendIpi sends them): each one is counted in the CPU's
    // block and marks the CPU as woken (its start-of-day idle loop then runs its WakeHook); once guests
    // run, it goes to GuestExecution, which serves what other CPUs asked (CrossCpuRequests).
    internal static unsafe class InterProcessorInterrupts
    {
        /// <summary>From TrapDispatcher, the IPI already acknowledged. Returns the frame to resume.</summary>
        public static TrapFrame* OnIpi(TrapFrame* frame, PerCpu* self)
        {
            Cpu.AtomicIncrement(&self->IpisReceived);
            Cpu.AtomicStore(&self->WakeRequested, 1);
            if (GuestExecution.Cpus != null)
                return GuestExecution.OnIpi(frame, self);
            CrossCpuRequests.ServeHaltOnly(self);
            return frame;
        }

        /// <summary>Wakes CPU <paramref name="cpu"/> from its start-of-day idle loop, which then runs its
        /// WakeHook.</summary>
        public static bool Wake(int cpu) => LocalApic.SendIpi(cpu, LocalApic.IpiVector);

        /// <summary>Sends an IPI to CPU <paramref name="cpu"/> and waits up to
        /// <paramref name="timeoutTsc"/> TSC cycles for it to be taken; false if it was not.</summary>
        public static bool RoundTrip(int cpu, ulong timeoutTsc)
        {
            PerCpu* target = PerCpu.Of(cpu);
            ulong before = Cpu.AtomicLoad(&target->IpisReceived);
            if (!LocalApic.SendIpi(cpu, LocalApic.IpiVector))
                return false;
            ulong start = Cpu.ReadTsc();
            while (Cpu.AtomicLoad(&target->IpisReceived) == before)
            {
                if (Cpu.ReadTsc() - start > timeoutTsc)
                    return false;
                Cpu.Pause();
            }
            return true;
        }
    }
}
