using Hypervisor.Core;
using Hypervisor.Core.Acpi;
using Hypervisor.Core.Boot;
using Hypervisor.Core.Domains;

namespace Hypervisor.Arch.X86_64
{
    // The core's HostPlatform: each operation is one instruction or a short sequence on the calling CPU,
    // or a request to the others (CrossCpuRequests).
    internal sealed unsafe class X86HostPlatform : HostPlatform
    {
        private readonly AcpiTables acpi;
        private readonly RebootMethod rebootMethod;

        public X86HostPlatform(AcpiTables acpi, RebootMethod rebootMethod)
        {
            this.acpi = acpi;
            this.rebootMethod = rebootMethod;
        }

        public override void FlushTlb() => Cpu.WriteCr3(Cpu.ReadCr3());
        public override void InvalidatePage(ulong virtualAddress) => Cpu.InvalidatePage(virtualAddress);

        public override int CurrentCpu => Cpu.CurrentIndex();
        public override void FlushOtherCpus(Domain domain) => CrossCpuRequests.FlushOthers(domain);
        public override void LocalFlushOwed() => GuestExecution.LocalFlushOwed();
        public override void RequestReschedule(int cpu) => CrossCpuRequests.RequestReschedule(cpu);
        public override void NotifyCpu(int cpu) => CrossCpuRequests.Notify(cpu);
        public override void StopDomainElsewhere(Domain domain, bool forgetTables) => CrossCpuRequests.StopDomain(domain, forgetTables);

        // A mode switch of the running vCPU, under the core lock (before guests run, nobody asks).
        public override void LoadGuestTables(ulong tableFrame)
        {
            GuestCpu cpu = GuestExecution.LockHolder;
            if (cpu != null && cpu.Current != null)
                GuestExecution.LoadTables(cpu, tableFrame, cpu.Current.Domain);
        }

        // The guest part of the GDT is the first 14 frames (entries below 0xe000 / 8), as in Xen. The
        // guest's descriptors are copied in rather than mapped: they were checked when their frames
        // took the segment-descriptor type, and that type keeps the frames read-only to the guest. Each
        // CPU's GDT holds the descriptors of the vCPU it runs: a vCPU another CPU runs has that CPU copy
        // them (update_descriptor by a sibling), one that does not run gets them when switched to.
        public override void LoadGuestDescriptors(Vcpu vcpu, int firstEntry, int count)
        {
            const int guestEntries = Hypervisor.Abi.DescriptorTables.FirstReservedGdtEntry;
            GuestCpu holder = GuestExecution.LockHolder;
            if (DescriptorTables.GdtBase == 0 || firstEntry < 0 || count <= 0 || firstEntry >= guestEntries || holder == null)
                return;
            if (vcpu != holder.Current)
            {
                CrossCpuRequests.ReloadDescriptors(vcpu);
                return;
            }
            CopyGuestDescriptors(holder, vcpu, firstEntry, count > guestEntries - firstEntry ? guestEntries : firstEntry + count);
        }

        /// <summary>Copies entries [<paramref name="firstEntry"/>, <paramref name="end"/>) of the guest part of
        /// <paramref name="vcpu"/>'s GDT into the GDT of the calling CPU (<paramref name="cpu"/>, which runs it):
        /// zero beyond its frames. Keeps <see cref="GuestCpu.LoadedGdtEntries"/> covering every entry that
        /// may be non-zero, for the next switch to clear.</summary>
        public static void CopyGuestDescriptors(GuestCpu cpu, Vcpu vcpu, int firstEntry, int end)
        {
            ulong* gdt = (ulong*)DescriptorTables.GdtBase;
            int loaded = vcpu.GdtFrameCount * 512;
            for (int i = firstEntry; i < end; i++)
            {
                ulong descriptor = 0;
                if (i < loaded)
                    descriptor = *(ulong*)PhysicalWindow.ToVirtual((vcpu.GdtFrames[i >> 9] << 12) + (ulong)(i & 511) * 8);
                gdt[i] = descriptor;
            }
            int reach = end < loaded ? end : loaded;
            if (firstEntry == 0 && end >= cpu.LoadedGdtEntries)
                cpu.LoadedGdtEntries = reach;             // everything loaded before was rewritten
            else if (reach > cpu.LoadedGdtEntries)
                cpu.LoadedGdtEntries = reach;
        }

        public override void Cpuid(uint leaf, uint subleaf, out uint eax, out uint ebx, out uint ecx, out uint edx)
        {
            uint* registers = stackalloc uint[4];
            Cpu.CpuId(leaf, subleaf, registers);
            eax = registers[0];
            ebx = registers[1];
            ecx = registers[2];
            edx = registers[3];
        }

        public override ulong ReadTimeStampCounter() => Cpu.ReadTsc();
        public override ulong TimeStampFrequency => LocalApic.TscFrequencyHz;

        public override byte InByte(ushort port) => Cpu.In8(port);
        public override ushort InWord(ushort port) => Cpu.In16(port);
        public override uint InDword(ushort port) => Cpu.In32(port);
        public override void OutByte(ushort port, byte value) => Cpu.Out8(port, value);
        public override void OutWord(ushort port, ushort value) => Cpu.Out16(port, value);
        public override void OutDword(ushort port, uint value) => Cpu.Out32(port, value);

        public override void PowerOff() => PowerControl.TryPowerOff(acpi);
        public override void Reboot() => PowerControl.Reset(acpi, rebootMethod);
    }
}
