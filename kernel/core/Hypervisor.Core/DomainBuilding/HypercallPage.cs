using Hypervisor.Abi;
using Hypervisor.Core.Memory;

namespace Hypervisor.Core.DomainBuilding
{
    /// <summary>
    /// The hypercall page a 64-bit PV kernel calls into: one 32-byte stub per hypercall number,
    /// "push %rcx; push %r11; mov $nr,%eax; syscall; pop %r11; pop %rcx; ret". The iret stub is
    /// entered with a jump, not a call, and never returns: "push %rcx; push %r11; push %rax;
    /// mov $23,%eax; syscall". The rest of the page is int3, so a stray jump traps.
    /// </summary>
    public static class HypercallPage
    {
        public static void Write(PhysicalMemory memory, ulong machineAddress)
        {
            memory.Fill(machineAddress, 4096, 0xCC);
            for (int nr = 0; nr < HypercallNumber.PageSlots; nr++)
            {
                ulong stub = machineAddress + (ulong)(nr * HypercallNumber.StubSize);
                if (nr == HypercallNumber.Iret)
                {
                    memory.Write8(stub + 0, 0x51);          // push %rcx
                    memory.Write16(stub + 1, 0x5341);       // push %r11
                    memory.Write8(stub + 3, 0x50);          // push %rax
                    memory.Write8(stub + 4, 0xB8);          // mov $nr, %eax
                    memory.Write32(stub + 5, (uint)nr);
                    memory.Write16(stub + 9, 0x050F);       // syscall
                    continue;
                }
                memory.Write8(stub + 0, 0x51);              // push %rcx
                memory.Write16(stub + 1, 0x5341);           // push %r11
                memory.Write8(stub + 3, 0xB8);              // mov $nr, %eax
                memory.Write32(stub + 4, (uint)nr);
                memory.Write16(stub + 8, 0x050F);           // syscall
                memory.Write16(stub + 10, 0x5B41);          // pop %r11
                memory.Write8(stub + 12, 0x59);             // pop %rcx
                memory.Write8(stub + 13, 0xC3);             // ret
            }
        }
    }
}
