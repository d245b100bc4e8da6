using Hypervisor.Core.Domains;

namespace Hypervisor.Arch.X86_64
{
    // What one CPU asks of another while guests run: flush your TLB, leave a domain's page tables, come
    // through the core (a reschedule, an event for the vCPU you run, a pause), reload the GDT of the
    // vCPU you run, halt. The asking CPU holds
    // the core lock; it writes the request into the target's PerCpu block, sends an IPI and, for a flush
    // or a leave, waits until the target has served it. The target serves requests in its IPI handler
    // without the core lock (Serve), wherever the IPI finds it: in a guest, in its idle loop, or waiting
    // for the lock at the start of an exit (that wait has interrupts open for this reason). So the holder
    // never waits on a CPU that waits on it.
    internal static unsafe class CrossCpuRequests
    {
        private const int Flush = 1;
        /// <summary>Leave the page tables of the domain GuestCpu.LeaveDomainId names (for the hypervisor's own).</summary>
        private const int Leave = 2;
        /// <summary>Come through the core before going back to the guest.</summary>
        private const int Attend = 4;
        private const int Halt = 8;
        /// <summary>Copy the running vCPU's guest descriptors into this CPU's GDT again.</summary>
        private const int Descriptors = 16;

        // How long to wait for an answer before saying so (the wait goes on: the request is needed).
        private const ulong PatienceMicroseconds = 5_000_000;

        /// <summary>The TLB of every other CPU with the tables of <paramref name="domain"/> loaded (null: of
        /// any domain) is flushed when this returns.</summary>
        public static void FlushOthers(Domain domain)
        {
            GuestCpu[] cpus = GuestExecution.Cpus;
            if (cpus == null || cpus.Length == 1)
                return;
            int self = Cpu.CurrentIndex();
            Answers answers = default;
            for (int i = 0; i < cpus.Length; i++)
            {
                GuestCpu other = cpus[i];
                if (i == self || other.LoadedDomainId == GuestCpu.NoDomain || (domain != null && other.LoadedDomainId != domain.Id))
                    continue;
                answers.Post(other, Flush);
            }
            answers.Await(cpus, "flush its TLB");
        }

        /// <summary>When this returns no other CPU runs a vCPU of <paramref name="domain"/> (which can no
        /// longer run: the others have left the guest and will choose again under the core lock) and,
        /// with <paramref name="forgetTables"/>, none has its tables loaded.</summary>
        public static void StopDomain(Domain domain, bool forgetTables)
        {
            GuestCpu[] cpus = GuestExecution.Cpus;
            if (cpus == null || cpus.Length == 1)
                return;
            int self = Cpu.CurrentIndex();
            Answers answers = default;
            for (int i = 0; i < cpus.Length; i++)
            {
                GuestCpu other = cpus[i];
                bool runs = other.Current != null && other.Current.Domain == domain;
                bool holdsTables = forgetTables && other.LoadedDomainId == domain.Id;
                if (i == self || (!runs && !holdsTables))
                    continue;
                other.Raise(GuestCpu.Reschedule);
                other.LeaveDomainId = domain.Id;
                answers.Post(other, Attend | (holdsTables ? Leave : 0));
            }
            answers.Await(cpus, forgetTables ? "leave a dying domain" : "stop a paused domain's vCPU");
        }

        /// <summary>When this returns, the CPU that runs <paramref name="vcpu"/> (if another one does) has its
        /// guest descriptors as they are now in its GDT frames.</summary>
        public static void ReloadDescriptors(Vcpu vcpu)
        {
            GuestCpu[] cpus = GuestExecution.Cpus;
            if (cpus == null || cpus.Length == 1)
                return;
            int self = Cpu.CurrentIndex();
            Answers answers = default;
            for (int i = 0; i < cpus.Length; i++)
            {
                if (i != self && cpus[i].Current == vcpu)
                    answers.Post(cpus[i], Descriptors);
            }
            answers.Await(cpus, "reload a vCPU's descriptors");
        }

        /// <summary>CPU <paramref name="index"/> asks the scheduler again before it resumes a guest.</summary>
        public static void RequestReschedule(int index)
        {
            GuestCpu[] cpus = GuestExecution.Cpus;
            if (cpus == null || (uint)index >= (uint)cpus.Length)
                return;
            cpus[index].Raise(GuestCpu.Reschedule);
            if (index != Cpu.CurrentIndex())
                Post(cpus[index], Attend);
        }

        /// <summary>CPU <paramref name="index"/> leaves its guest and looks at its events (nothing to do
        /// for the calling CPU, which looks before it resumes).</summary>
        public static void Notify(int index)
        {
            GuestCpu[] cpus = GuestExecution.Cpus;
            if (cpus == null || (uint)index >= (uint)cpus.Length || index == Cpu.CurrentIndex())
                return;
            Post(cpus[index], Attend);
        }

        /// <summary>Stops every other CPU (a panic), without waiting for them.</summary>
        public static void HaltOthers()
        {
            int self = Cpu.CurrentIndex();
            for (int i = 0; i < PerCpu.CpuCount; i++)
            {
                if (i == self || !PerCpu.Of(i)->IsOnline)
                    continue;
                Cpu.AtomicOr(&PerCpu.Of(i)->Requests, Halt);
                LocalApic.SendIpi(i, LocalApic.IpiVector);
            }
        }

        /// <summary>In the IPI handler of the CPU <paramref name="cpu"/>, without the core lock: does what
        /// was asked and says so. True when the CPU must come through the core before it resumes a guest.</summary>
        public static bool Serve(GuestCpu cpu)
        {
            PerCpu* block = cpu.Block;
            int made = Cpu.AtomicLoad(&block->RequestsMade);
            int requests = Cpu.AtomicExchange(&block->Requests, 0);
            if ((requests & Halt) != 0)
                Cpu.HaltForever();
            bool attend = (requests & Attend) != 0;
            if ((requests & Leave) != 0 && cpu.LoadedDomainId != GuestCpu.NoDomain && cpu.LoadedDomainId == cpu.LeaveDomainId)
            {
                // A CR3 load also flushes the TLB. If this CPU was about to handle an exit of that
                // domain's vCPU, the exit is dropped: the domain is dying.
                GuestExecution.LoadHypervisorTables(cpu);
                cpu.Raise(GuestCpu.TablesForgotten);
                requests &= ~Flush;
                attend = true;
            }
            Vcpu current = cpu.Current;
            if ((requests & Leave) != 0 && current != null && current.Domain.Id == cpu.LeaveDomainId)
            {
                // Nor is the vCPU switched out later (its state saved into it): its objects go back to
                // the allocator as soon as the asking CPU is done, before this CPU has the lock. It is
                // dropped here; the next switch saves nothing (its FPU state is simply overwritten).
                cpu.Current = null;
                cpu.Raise(GuestCpu.TablesForgotten);
                attend = true;
            }
            if ((requests & Flush) != 0)
                Cpu.WriteCr3(Cpu.ReadCr3());
            // The vCPU this CPU runs cannot change meanwhile: the asking CPU holds the core lock.
            Vcpu running = cpu.Current;
            if ((requests & Descriptors) != 0 && running != null)
            {
                int end = running.GdtFrameCount * 512;
                X86HostPlatform.CopyGuestDescriptors(cpu, running, 0, end > cpu.LoadedGdtEntries ? end : cpu.LoadedGdtEntries);
            }
            Cpu.AtomicStore(&block->RequestsServed, made);
            return attend;
        }

        /// <summary>Only for the Halt request outside guest execution (start of day).</summary>
        public static void ServeHaltOnly(PerCpu* block)
        {
            if ((Cpu.AtomicLoad(&block->Requests) & Halt) != 0)
                Cpu.HaltForever();
        }

        // Leaves the request for the target and interrupts it; returns the request's sequence number.
        private static int Post(GuestCpu target, int requests)
        {
            PerCpu* block = target.Block;
            Cpu.AtomicOr(&block->Requests, requests);
            // Only the core lock's holder posts, so the count has one writer; the target reads it before
            // it takes the bits, so a request is never acknowledged before it is seen.
            int made = Cpu.AtomicLoad(&block->RequestsMade) + 1;
            Cpu.AtomicStore(&block->RequestsMade, made);
            LocalApic.SendIpi(target.Index, LocalApic.IpiVector);
            return made;
        }

        // The requests one call has posted, by CPU, and the wait until each CPU has served its own.
        private struct Answers
        {
            private fixed int sequence[PerCpu.MaxCpus];
            private bool any;

            public void Post(GuestCpu target, int requests)
            {
                sequence[target.Index] = CrossCpuRequests.Post(target, requests);
                any = true;
            }

            public void Await(GuestCpu[] cpus, string what)
            {
                if (!any)
                    return;
                ulong start = Cpu.ReadTsc();
                ulong patience = PatienceMicroseconds * (LocalApic.TscFrequencyHz / 1_000_000);
                bool reported = false;
                for (int i = 0; i < cpus.Length; i++)
                {
                    if (sequence[i] == 0)
                        continue;
                    PerCpu* block = cpus[i].Block;
                    while (Cpu.AtomicLoad(&block->RequestsServed) - sequence[i] < 0)
                    {
                        if (!reported && Cpu.ReadTsc() - start > patience)
                        {
                            reported = true;
                            GuestExecution.Log.Warning().Text("CPU ").Dec((ulong)i).Text(" has not answered a request to ").Text(what)
                                .Text(" for 5 s; still waiting").End();
                        }
                        Cpu.Pause();
                    }
                }
            }
        }
    }
}
