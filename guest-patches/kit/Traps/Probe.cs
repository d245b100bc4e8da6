using System.Runtime;
using System.Runtime.CompilerServices;

namespace Hypervisor.Guest
{
    /// <summary>
    /// Memory accesses that may fault without killing the guest: the trap handler resumes a faulting
    /// probe after the access (see asm/probe.asm). Each returns 0 when the access worked, otherwise the
    /// vector that struck plus one; <see cref="TrapTable.LastFaultAddress"/> and
    /// <see cref="TrapTable.LastErrorCode"/> tell more. Needs the trap table installed.
    /// </summary>
    public static unsafe class Probe
    {
        [RuntimeImport("kit_probe_read64"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern ulong Read64(ulong address, ulong* value);

        [RuntimeImport("kit_probe_read8"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern ulong Read8(ulong address, byte* value);

        [RuntimeImport("kit_probe_write64"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern ulong Write64(ulong address, ulong value);

        [RuntimeImport("kit_breakpoint"), MethodImpl(MethodImplOptions.InternalCall)]
        public static extern void Breakpoint();

        [RuntimeImport("kit_probe_ud2"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern ulong Ud2();

        [RuntimeImport("kit_probe_cli"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern ulong Cli();

        [RuntimeImport("kit_xen_cpuid"), MethodImpl(MethodImplOptions.InternalCall)]
        private static extern ulong XenCpuid(uint leaf, uint subleaf, uint* registers);

        /// <summary>Executes ud2; returns the vector it raised (6, #UD), or -1 if nothing happened.</summary>
        public static int InvalidOpcodeVector() => Vector(Ud2());

        /// <summary>Executes cli; returns the vector it raised, or -1 when the hypervisor let it pass.</summary>
        public static int CliVector() => Vector(Cli());

        /// <summary>cpuid behind Xen's forced-emulation prefix: EAX, EBX, ECX, EDX into
        /// <paramref name="registers"/>; returns -1 when it was emulated, else the vector the prefix raised.</summary>
        public static int ForcedEmulationCpuid(uint leaf, uint subleaf, uint* registers) => Vector(XenCpuid(leaf, subleaf, registers));

        private static int Vector(ulong fault) => fault == 0 ? -1 : (int)(fault - 1);

        public static bool TryRead(ulong address, out ulong value)
        {
            ulong v = 0;
            ulong fault = Read64(address, &v);
            value = v;
            return fault == 0;
        }

        public static bool TryReadByte(ulong address, out byte value)
        {
            byte v = 0;
            ulong fault = Read8(address, &v);
            value = v;
            return fault == 0;
        }

        public static bool TryWrite(ulong address, ulong value) => Write64(address, value) == 0;

        /// <summary>The vector (as in <see cref="TrapNames"/>) a read raised, or -1 when it worked.</summary>
        public static int ReadFaultVector(ulong address)
        {
            ulong v = 0;
            ulong fault = Read64(address, &v);
            return fault == 0 ? -1 : (int)(fault - 1);
        }

        /// <summary>The vector a write raised, or -1 when it worked.</summary>
        public static int WriteFaultVector(ulong address, ulong value)
        {
            ulong fault = Write64(address, value);
            return fault == 0 ? -1 : (int)(fault - 1);
        }
    }
}
