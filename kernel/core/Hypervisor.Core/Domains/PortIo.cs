using System;
using Hypervisor.Abi;

namespace Hypervisor.Core.Domains
{
    /// <summary>
    /// Port I/O on behalf of a PV guest, with Xen's two permission checks:
    /// <list type="bullet">
    /// <item>the guest's own (<see cref="GuestMayAccess"/>): the vCPU's virtual IOPL against the ring
    /// the guest believes it runs in, or else its I/O bitmap. Failing it, the instruction is not
    /// emulated and the guest gets its #GP, as on real hardware;</item>
    /// <item>the hypervisor's (<see cref="HostMayAccess"/>): the domain owns the I/O ports and the port
    /// is not one the hypervisor drives itself. Failing it, the access still completes for the guest
    /// but reaches no device: reads give all-ones, writes are dropped (Xen's guest_io_read/write).</item>
    /// </list>
    /// </summary>
    public static class PortIo
    {
        private const uint PortLimit = 0x10000;
        /// <summary>The hypervisor's console is always on COM1 (the arch layer's serial console).</summary>
        private const uint ConsoleUart = Boot.HypervisorOptions.DefaultCom1IoBase;
        /// <summary>PCI CONFIG_ADDRESS: a dword there is the PCI configuration address, not the reset
        /// control byte at 0xCF9 the chipset decodes for smaller accesses.</summary>
        private const uint PciConfigAddress = 0xCF8;

        /// <summary>Xen's guest_io_okay: may the guest, by its own rules, touch
        /// [<paramref name="port"/>, port + <paramref name="size"/>)?</summary>
        public static bool GuestMayAccess(Vcpu vcpu, uint port, int size)
        {
            if (IoplAllows(vcpu))
                return true;
            if (port + (uint)size > vcpu.IoBitmapPorts)
                return false;
            // The two bitmap bytes covering the access, read through the guest kernel's tables (also
            // from user mode, where the bitmap need not be mapped); a byte that cannot be read denies.
            ulong at = vcpu.IoBitmapAddress + (port >> 3);
            Span<byte> b = stackalloc byte[1];
            uint bits = 0xFFFF;
            if (vcpu.Domain.Host.PageWalk.TryRead(vcpu.KernelTableFrame, at, b))
            {
                bits = 0xFF00u | b[0];
                if (vcpu.Domain.Host.PageWalk.TryRead(vcpu.KernelTableFrame, at + 1, b))
                    bits = (bits & 0xFFu) | ((uint)b[0] << 8);
            }
            uint mask = ((1u << size) - 1) << (int)(port & 7);
            return (bits & mask) == 0;
        }

        /// <summary>Xen's iopl_ok: is the vCPU's virtual IOPL at least the ring the guest believes it
        /// runs in? The guest kernel counts as ring 1, like a classic PV kernel, unless it asked for
        /// architectural IOPL (then ring 0); its user mode is ring 3.</summary>
        public static bool IoplAllows(Vcpu vcpu)
        {
            uint cpl = 3;
            if (vcpu.InKernelMode)
                cpl = (vcpu.Domain.VmAssist & (1UL << VmAssistType.ArchitecturalIopl)) != 0 ? 0u : 1u;
            return cpl <= vcpu.IoPrivilegeLevel;
        }

        /// <summary>Xen's admin_io_okay: does the access reach the real ports? Only for a domain that
        /// owns the I/O space, and never for the ports Xen 4.17 keeps from dom0 that matter here: the
        /// hypervisor's own interrupt controller and timer (the legacy PICs and their edge/level
        /// registers, the PIT and port 0x61), the reset control port 0xCF9, and the UART the
        /// hypervisor's console is on (COM1), which Xen takes from dom0 once it owns the port (so
        /// Linux finds no 16550 there, as on Xen).</summary>
        public static bool HostMayAccess(Domain domain, uint port, int size)
        {
            if (!domain.HasIoPortAccess || port + (uint)size > PortLimit)
                return false;
            uint last = port + (uint)size - 1;
            return !Overlaps(port, last, 0x20, 0x21)      // primary PIC
                && !Overlaps(port, last, 0xA0, 0xA1)      // secondary PIC
                && !Overlaps(port, last, 0x40, 0x43)      // PIT
                && !Overlaps(port, last, 0x61, 0x61)      // PIT channel 2 gate, speaker
                && !Overlaps(port, last, 0x4D0, 0x4D1)    // PIC edge/level control
                && !(Overlaps(port, last, 0xCF9, 0xCF9) && !(port == PciConfigAddress && size == 4))   // reset control
                && !Overlaps(port, last, ConsoleUart, ConsoleUart + 7);
        }

        /// <summary>An IN of <paramref name="size"/> bytes (1, 2 or 4) the guest may make.</summary>
        public static uint Read(Domain domain, uint port, int size)
        {
            if (!HostMayAccess(domain, port, size))
                return size == 4 ? 0xFFFFFFFFu : (1u << (size * 8)) - 1;
            HostPlatform platform = domain.Host.Platform;
            switch (size)
            {
                case 1: return platform.InByte((ushort)port);
                case 2: return platform.InWord((ushort)port);
                default: return platform.InDword((ushort)port);
            }
        }

        /// <summary>An OUT of <paramref name="size"/> bytes (1, 2 or 4) the guest may make.</summary>
        public static void Write(Domain domain, uint port, int size, uint value)
        {
            if (!HostMayAccess(domain, port, size))
                return;
            HostPlatform platform = domain.Host.Platform;
            switch (size)
            {
                case 1: platform.OutByte((ushort)port, (byte)value); break;
                case 2: platform.OutWord((ushort)port, (ushort)value); break;
                default: platform.OutDword((ushort)port, value); break;
            }
        }

        private static bool Overlaps(uint first, uint last, uint rangeFirst, uint rangeLast) => first <= rangeLast && last >= rangeFirst;
    }
}
