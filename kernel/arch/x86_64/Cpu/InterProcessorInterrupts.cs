namespace Hypervisor.Arch.X86_64
{
    // The receiving side of IPIs (LocalApic.SendIpi sends them): each one is counted in the CPU's
    // block, marks the CPU as woken (its idle loop then runs its WakeHook) and goes to the CPU's
    // IpiHook, which may pick another frame to resume: where reschedule requests will land.
    internal static unsafe class InterProcessorInterrupts
    {
        /// <summary>From TrapDispatcher, the IPI already acknowledged. Returns the frame to resume.</summary>
        public static TrapFrame* OnIpi(TrapFrame* frame)
        {
            PerCpu* self = PerCpu.Current;
            Cpu.AtomicIncrement(&self->IpisReceived);
            Cpu.AtomicStore(&self->WakeRequested, 1);
            delegate*<int, TrapFrame*, TrapFrame*> hook = self->IpiHook;
            return hook == null ? frame : hook(self->Index, frame);
        }

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
