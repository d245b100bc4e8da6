using Hypervisor.Abi;
using Hypervisor.Core.Domains;

namespace Hypervisor.Core.Hypercalls
{
    /// <summary>Runs the hypercall a vCPU made: looks the number up in <see cref="HypercallTable"/>,
    /// checks who may call it, calls the handler and puts its result in RAX.</summary>
    public static unsafe class HypercallDispatcher
    {
        /// <summary>Handles a SYSCALL from guest kernel mode: number in RAX, arguments in RDI, RSI, RDX,
        /// R10, R8.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static void Dispatch(Vcpu vcpu)
        {
            // The guest has run since the last resume, so the CPU is on the vCPU's current kernel base:
            // an L4 that MMUEXT_NEW_BASEPTR replaced before that can go now.
            if (vcpu.RetiredKernelTableFrame != 0)
                Handlers.MmuextOpHypercall.ReleaseRetiredKernelBase(vcpu);
            var args = new HypercallArguments(vcpu.Registers.Rdi, vcpu.Registers.Rsi, vcpu.Registers.Rdx,
                                              vcpu.Registers.R10, vcpu.Registers.R8);
            args.FromSyscall = true;
            long result = Invoke(vcpu, vcpu.Registers.Rax, in args);
            if (result != HypercallResult.RegistersReplaced)
                vcpu.Registers.Rax = (ulong)result;
        }

        /// <summary>Calls hypercall <paramref name="number"/> (also used by multicall).</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public static long Invoke(Vcpu vcpu, ulong number, in HypercallArguments args)
        {
            if (number >= (ulong)HypercallTable.Size)
                return -XenErrno.ENOSYS;
            ref HypercallDefinition definition = ref HypercallTable.Lookup((int)number);
            switch (definition.Access)
            {
                case HypercallAccess.AnyDomain:
                    break;
                case HypercallAccess.PrivilegedDomain:
                    if (!vcpu.Domain.IsPrivileged)
                        return -XenErrno.EPERM;
                    break;
                default:
                    return -XenErrno.ENOSYS;
            }
            return definition.Handler(vcpu, in args);
        }
    }
}
