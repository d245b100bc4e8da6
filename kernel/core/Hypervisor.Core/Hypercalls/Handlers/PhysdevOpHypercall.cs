using Hypervisor.Abi;
using Hypervisor.Core.Domains;

namespace Hypervisor.Core.Hypercalls.Handlers
{
    /// <summary>physdev_op(cmd, arg): physical-device operations. Implemented so far: the vCPU's
    /// virtual I/O privilege level and its I/O permission bitmap, which decide which IN/OUT
    /// instructions the hypervisor performs for the guest; every other command is -ENOSYS.</summary>
    public static class PhysdevOpHypercall
    {
        /// <summary>Bytes of a full I/O bitmap (IOBMP_BYTES): one bit per port.</summary>
        public const ulong IoBitmapBytes = 8192;

        /// <summary>Ports in the I/O space; a bitmap may cover at most this many.</summary>
        public const uint PortCount = 65536;

        public static long Handle(Vcpu vcpu, in HypercallArguments args)
        {
            switch ((int)(uint)args.A1)
            {
                case PhysdevOp.SetIopl:
                    return SetIopl(vcpu, args.A2);
                case PhysdevOp.SetIobitmap:
                    return SetIobitmap(vcpu, args.A2);
                default:
                    return -XenErrno.ENOSYS;
            }
        }

        // Any PV domain may set its IOPL, as in Xen: it only lets the guest ask; whether a port is
        // really reached is decided at each access by the domain's I/O port permission
        // (PortIo.HostMayAccess), so an unprivileged domain that raises its IOPL reads all-ones.
        private static long SetIopl(Vcpu vcpu, ulong arg)
        {
            if (!GuestMemory.TryRead(vcpu, arg, out PhysdevSetIopl request))
                return -XenErrno.EFAULT;
            if (request.Iopl > 3)
                return -XenErrno.EINVAL;
            vcpu.IoPrivilegeLevel = request.Iopl;
            return 0;
        }

        // Only the address is kept: the bitmap stays in guest memory, where the guest may update it, and
        // is read at each check (inaccessible bytes deny), exactly as Xen does.
        private static long SetIobitmap(Vcpu vcpu, ulong arg)
        {
            if (!GuestMemory.TryRead(vcpu, arg, out PhysdevSetIobitmap request))
                return -XenErrno.EFAULT;
            if (!GuestHandle.IsOkay(request.Bitmap, IoBitmapBytes, 1) || request.NrPorts > PortCount)
                return -XenErrno.EINVAL;
            vcpu.IoBitmapAddress = request.Bitmap;
            vcpu.IoBitmapPorts = request.NrPorts;
            return 0;
        }
    }
}
