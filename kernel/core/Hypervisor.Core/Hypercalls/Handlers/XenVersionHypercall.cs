using System;
using Hypervisor.Abi;
using Hypervisor.Core.Domains;

namespace Hypervisor.Core.Hypercalls.Handlers
{
    /// <summary>xen_version(cmd, arg): who this hypervisor is and what it offers. The version number
    /// is the interface level this hypervisor implements (Xen 4.17's); the extra version and
    /// changeset name this project, so a guest that prints them tells the truth.</summary>
    public static unsafe class XenVersionHypercall
    {
        /// <summary>The Xen interface release this hypervisor follows: 4.17.</summary>
        public const int Major = 4;
        public const int Minor = 17;

        public static long Handle(Vcpu vcpu, in HypercallArguments args)
        {
            ulong arg = args.A2;
            switch ((int)(uint)args.A1)
            {
                case XenVersionCommand.Version:
                    return (Major << 16) | Minor;
                case XenVersionCommand.Extraversion:
                    return CopyText(vcpu, arg, XenExtraversion.Length, "-csharp-" + HypervisorVersion.Text);
                case XenVersionCommand.CompileInfo:
                    return CopyCompileInfo(vcpu, arg);
                case XenVersionCommand.Capabilities:
                    return CopyText(vcpu, arg, XenCapabilitiesInfo.Length, "xen-3.0-x86_64");
                case XenVersionCommand.Changeset:
                    return CopyText(vcpu, arg, XenChangesetInfo.Length, "csharp-hypervisor " + HypervisorVersion.Text);
                case XenVersionCommand.PlatformParameters:
                    {
                        XenPlatformParameters parameters = default;
                        parameters.VirtStart = AddressSpaceLayout.HypervisorVirtStart;
                        return GuestMemory.TryWrite(vcpu, arg, in parameters) ? 0 : -XenErrno.EFAULT;
                    }
                case XenVersionCommand.GetFeatures:
                    return GetFeatures(vcpu, arg);
                case XenVersionCommand.Pagesize:
                    // As Xen: the size is the result, and an argument is a caller's mistake.
                    return arg != 0 ? -XenErrno.EINVAL : 4096;
                case XenVersionCommand.GuestHandle:
                    {
                        XenDomainHandle handle = default;   // dom0's handle is all zeroes
                        return GuestMemory.TryWrite(vcpu, arg, in handle) ? 0 : -XenErrno.EFAULT;
                    }
                case XenVersionCommand.Commandline:
                    if (!vcpu.Domain.IsPrivileged)
                        return -XenErrno.EPERM;
                    return CopyCommandLine(vcpu, arg);
                case XenVersionCommand.BuildId:
                    return BuildId(vcpu, arg);
                default:
                    return -XenErrno.ENOSYS;
            }
        }

        /// <summary>Feature bits a PV guest sees in submap 0, the ones Xen 4.17 gives every PV domain:
        /// MMU_PT_UPDATE_PRESERVE_AD, MMUEXT_CLEAR_PAGE/COPY_PAGE (highmem assist) and the grant-map
        /// available bits. Linux 6.1 panics at start of day without the first and the last; grant
        /// mappings, when they come, must keep the PTE bits the guest passes in GNTMAP's avail field.
        /// Page directories above 4 GiB follow the guest's pae_extended_cr3 assist, as in Xen.</summary>
        public static uint FeatureBits(Domain domain)
        {
            uint bits = (1u << XenFeature.MmuPtUpdatePreserveAd)
                      | (1u << XenFeature.HighmemAssist)
                      | (1u << XenFeature.GnttabMapAvailBits);
            if ((domain.VmAssist & (1UL << VmAssistType.PaeExtendedCr3)) != 0)
                bits |= 1u << XenFeature.PaePgdirAbove4gb;
            if (domain.IsPrivileged)
                bits |= 1u << XenFeature.Dom0;
            return bits;
        }

        // As Xen, the caller's xen_build_id is read (for its len) before the build id is looked for, so
        // a bad buffer is -EFAULT and a zero length -EINVAL even though no build id is recorded in the
        // image (-ENODATA, also the answer to a NULL buffer's question about the size).
        private static long BuildId(Vcpu vcpu, ulong arg)
        {
            if (!vcpu.Domain.IsPrivileged)
                return -XenErrno.EPERM;
            if (arg != 0)
            {
                if (!GuestMemory.TryRead(vcpu, arg, out XenBuildId request))
                    return -XenErrno.EFAULT;
                if (request.Len == 0)
                    return -XenErrno.EINVAL;
            }
            return -XenErrno.ENODATA;
        }

        private static long GetFeatures(Vcpu vcpu, ulong arg)
        {
            if (!GuestMemory.TryRead(vcpu, arg, out XenFeatureInfo info))
                return -XenErrno.EFAULT;
            if (info.SubmapIdx != 0)
                return -XenErrno.EINVAL;
            info.Submap = FeatureBits(vcpu.Domain);
            return GuestMemory.TryWrite(vcpu, arg, in info) ? 0 : -XenErrno.EFAULT;
        }

        private static long CopyCompileInfo(Vcpu vcpu, ulong arg)
        {
            XenCompileInfo info = default;
            Fill(info.Compiler, 64, "ILC (.NET NativeAOT)");
            Fill(info.CompileBy, 16, "hypervisor");
            Fill(info.CompileDomain, 32, "csharp");
            Fill(info.CompileDate, 32, "");
            return GuestMemory.TryWrite(vcpu, arg, in info) ? 0 : -XenErrno.EFAULT;
        }

        private static long CopyCommandLine(Vcpu vcpu, ulong arg)
        {
            Span<byte> buffer = stackalloc byte[XenCommandline.Length];
            buffer.Clear();
            byte[] line = vcpu.Domain.Host.CommandLine;
            for (int i = 0; i < line.Length && i < buffer.Length - 1; i++)
                buffer[i] = line[i];
            return GuestMemory.TryWrite(vcpu, arg, buffer) ? 0 : -XenErrno.EFAULT;
        }

        private static long CopyText(Vcpu vcpu, ulong arg, int size, string text)
        {
            Span<byte> buffer = stackalloc byte[size];
            buffer.Clear();
            for (int i = 0; i < text.Length && i < size - 1; i++)
                buffer[i] = (byte)text[i];
            return GuestMemory.TryWrite(vcpu, arg, buffer) ? 0 : -XenErrno.EFAULT;
        }

        private static void Fill(byte* field, int size, string text)
        {
            for (int i = 0; i < text.Length && i < size - 1; i++)
                field[i] = (byte)text[i];
        }
    }
}
