using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// Bringing vCPUs up: VCPUOP_is_up for the running vCPU 0 (1), vCPU 1 that the toolstack gave a
    /// context without VGCF_online (0), an uninitialised one (0) and an id beyond the domain's vCPUs
    /// (-ENOENT); VCPUOP_up of an uninitialised vCPU -EINVAL; VCPUOP_initialise of an initialised one
    /// -EEXIST, of vCPU 2 0 (it stays down until up, and a second initialise is -EEXIST); VCPUOP_up then
    /// runs the vCPU from its context (RDI and RSP as given), is_up says 1, and a second up is a harmless
    /// 0. Each running secondary reads its own vcpu_time_info: even version, the same system time as
    /// vCPU 0's copy.
    /// </summary>
    internal static unsafe class BringUpTests
    {
        public const uint BeyondMaxVcpus = 4;
        /// <summary>How far apart two vCPUs' copies of system time may be (TSC read a little apart).</summary>
        public const long ClockTolerance = 1000000;

        public static void Run(TestSuite suite, ulong l4Frame)
        {
            suite.Returns("is_up_running_vcpu0", 1, Hypercalls.VcpuOp(VcpuOp.IsUp, 0, null));
            suite.Returns("is_up_toolstack_context_not_online", 0, Hypercalls.VcpuOp(VcpuOp.IsUp, 1, null));
            suite.Returns("is_up_uninitialised", 0, Hypercalls.VcpuOp(VcpuOp.IsUp, 2, null));
            suite.Errno("is_up_beyond_max_vcpus", XenErrno.ENOENT, Hypercalls.VcpuOp(VcpuOp.IsUp, BeyondMaxVcpus, null));
            suite.Errno("up_uninitialised_einval", XenErrno.EINVAL, Hypercalls.VcpuOp(VcpuOp.Up, 2, null));
            suite.Returns("is_up_after_refused_up", 0, Hypercalls.VcpuOp(VcpuOp.IsUp, 2, null));

            VcpuGuestContext* context = (VcpuGuestContext*)GuestMemory.AllocatePages(2);
            Secondaries.FillContext(context, 1, l4Frame);
            suite.Errno("initialise_toolstack_initialised_eexist", XenErrno.EEXIST, Hypercalls.VcpuOp(VcpuOp.Initialise, 1, context));
            Secondaries.FillContext(context, 2, l4Frame);
            suite.Returns("initialise_vcpu2", 0, Hypercalls.VcpuOp(VcpuOp.Initialise, 2, context));
            suite.Returns("is_up_initialised_not_up", 0, Hypercalls.VcpuOp(VcpuOp.IsUp, 2, null));
            suite.Errno("initialise_again_eexist", XenErrno.EEXIST, Hypercalls.VcpuOp(VcpuOp.Initialise, 2, context));
            suite.Check("initialised_vcpu_does_not_run_before_up", Secondaries.Read(&Secondaries.Box(2)->Started) == 0, "vCPU 2 ran before VCPUOP_up");

            for (uint v = 1; v < Secondaries.Count; v++)
            {
                long port = Secondaries.BindKick(v);
                suite.Result(v == 1 ? "bind_ipi_vcpu1" : v == 2 ? "bind_ipi_vcpu2" : "bind_ipi_vcpu3", port > 0 && port < Mailbox.TrackedPorts)
                    .Text(" port ").Result(port).End();
            }

            Up(suite, 1, "up_toolstack_context_vcpu1");
            Up(suite, 2, "up_initialised_vcpu2");
            suite.Returns("up_running_vcpu_again", 0, Hypercalls.VcpuOp(VcpuOp.Up, 1, null));
        }

        /// <summary>VCPUOP_up, then the vCPU runs from its context and reads its clock.</summary>
        public static void Up(TestSuite suite, uint vcpu, string test)
        {
            long rc = Hypercalls.VcpuOp(VcpuOp.Up, vcpu, null);
            bool started = rc == 0 && Secondaries.WaitStarted(vcpu);
            Mailbox* box = Secondaries.Box(vcpu);
            ulong top = Secondaries.StackTop(vcpu);
            bool ownStack = box->EntryStack < top && box->EntryStack >= top - Secondaries.StackSize;
            suite.Result(test, started && box->EntryRdi == vcpu && ownStack).Text(" returned ").Result(rc)
                .Text(started ? ", ran with RDI " : ", did not run within 5 s; RDI ").Dec(box->EntryRdi).Text(", stack ")
                .Hex(box->EntryStack).Text(" (own stack below ").Hex(top).Text(")").End();
            if (!started)
                return;
            suite.Returns(vcpu == 1 ? "is_up_vcpu1_after_up" : vcpu == 2 ? "is_up_vcpu2_after_up" : "is_up_vcpu3_after_up", 1,
                          Hypercalls.VcpuOp(VcpuOp.IsUp, vcpu, null));
            Clock(suite, vcpu, vcpu == 1 ? "vcpu1_time_info_agrees" : vcpu == 2 ? "vcpu2_time_info_agrees" : "vcpu3_time_info_agrees");
        }

        /// <summary>The secondary's own vcpu_time_info read at its start: even, and the same system time as vCPU 0's.</summary>
        public static void Clock(TestSuite suite, uint vcpu, string test)
        {
            Mailbox* box = Secondaries.Box(vcpu);
            long skew = box->ClockSkew;
            long magnitude = skew < 0 ? -skew : skew;
            suite.Result(test, (box->TimeVersion & 1) == 0 && box->TimeVersion != 0 && magnitude < ClockTolerance)
                .Text(" version ").Dec(box->TimeVersion).Text(", ").Signed(skew).Text(" ns from vCPU 0's clock").End();
        }
    }
}
