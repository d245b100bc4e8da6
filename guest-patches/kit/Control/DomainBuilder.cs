using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>
    /// The toolstack's PV domain builder, as Xen's libxc builds a 64-bit PV domU, with hypercalls only:
    /// <list type="number">
    /// <item><see cref="LoadImage"/>: the kernel's ELF64 image, held in this domain's memory (checked
    /// before anything is created).</item>
    /// <item><see cref="Create"/>: XEN_DOMCTL_createdomain (the hypervisor picks the id), max_vcpus, max_mem.</item>
    /// <item><see cref="Populate"/>: XENMEM_populate_physmap of pfns 0..n-1 in batches; for a PV domain the
    /// hypervisor writes each extent's machine frame back into the array, which is the P2M.</item>
    /// <item><see cref="Build"/>: the start-of-day layout (<see cref="DomainLayout"/>), the kernel's
    /// segments (bss zeroed), the P2M list, start_info, the bootstrap page tables and the stack page, all
    /// written through a <see cref="ForeignWindow"/>; then XEN_DOMCTL_hypercall_init on the
    /// HYPERCALL_PAGE note's frame, the vCPU upcall masks set in shared info, the window put back,
    /// MMUEXT_PIN_L4_TABLE of the L4 for the new domain and XEN_DOMCTL_setvcpucontext of vCPU 0
    /// (kernel mode, online, RIP = entry, RSP = the stack's end, RSI = start_info, flat kernel selectors,
    /// CR3 = the L4).</item>
    /// <item><see cref="Start"/>: XEN_DOMCTL_unpausedomain.</item>
    /// </list>
    /// Each step returns 0 or the failing call's result; <see cref="FailedStep"/>, <see cref="FailedResult"/>
    /// and <see cref="FailedDetail"/> say which step failed and how (<see cref="WriteFailure"/> prints it).
    /// The domain is not destroyed on failure: the caller does that with <see cref="Destroy"/>.
    /// </summary>
    public sealed unsafe class DomainBuilder
    {
        public const ulong PopulateBatch = 512;
        public const ulong PageSize = 4096;

        /// <summary>The flat 64-bit kernel selectors (FLAT_KERNEL_CS64, FLAT_KERNEL_DS64/SS64).</summary>
        public const ushort KernelCs = 0xe033;
        public const ushort KernelDs = 0xe02b;

        private readonly ElfImage image = new ElfImage();
        private readonly ForeignWindow window = new ForeignWindow();
        private VcpuGuestContext* context;
        private ulong* p2m;
        private DomainLayout layout;
        private bool populated;

        /// <summary>The new domain's id (0 before <see cref="Create"/>).</summary>
        public ushort Domain { get; private set; }

        public ulong NrPages { get; private set; }
        public ulong SharedInfoFrame { get; private set; }
        public ulong L4Frame { get; private set; }

        public ElfImage Image => image;
        public DomainLayout Layout => layout;

        /// <summary>The P2M (pfn to machine frame) once <see cref="Populate"/> ran.</summary>
        public ulong* P2m => p2m;

        public ForeignWindow Window => window;

        public string FailedStep { get; private set; }
        public long FailedResult { get; private set; }
        public string FailedDetail { get; private set; }

        /// <summary>Step 1: checks and reads the kernel image (<see cref="ElfImage"/>); -ENOEXEC with the
        /// reason in <see cref="FailedDetail"/> when it is not a loadable 64-bit PV kernel.</summary>
        public long LoadImage(byte* bytes, ulong length)
        {
            if (!image.Parse(bytes, length))
                return Fail("image", -XenErrno.ENOEXEC, image.Error);
            return 0;
        }

        /// <summary>Step 2: createdomain (one vCPU, grant v1, event ports up to <paramref name="maxEvtchnPort"/>),
        /// max_vcpus, max_mem of <paramref name="memoryKib"/>.</summary>
        public long Create(ulong memoryKib, uint maxEvtchnPort)
        {
            DomctlCreateDomain config = DomainControl.PvConfig(1, maxEvtchnPort);
            long rc = DomainControl.CreateDomain(config, 0, out ushort id);
            if (rc != 0)
                return Fail("createdomain", rc, null);
            Domain = id;
            NrPages = memoryKib / 4;
            rc = DomainControl.MaxVcpus(id, 1);
            if (rc != 0)
                return Fail("max_vcpus", rc, null);
            rc = DomainControl.MaxMem(id, memoryKib);
            if (rc != 0)
                return Fail("max_mem", rc, null);
            return 0;
        }

        /// <summary>Instead of <see cref="Create"/>: builds into <paramref name="domain"/>, which the caller
        /// created and gave its vCPU and <paramref name="memoryKib"/> of max_mem.</summary>
        public void Attach(ushort domain, ulong memoryKib)
        {
            Domain = domain;
            NrPages = memoryKib / 4;
        }

        /// <summary>Step 3: populate_physmap of every page, <see cref="PopulateBatch"/> extents a call; the
        /// result is the P2M. A call that does fewer extents than asked fails the step with its count.</summary>
        public long Populate()
        {
            if (p2m == null)
                p2m = (ulong*)GuestMemory.Allocate(NrPages * 8);
            ulong done = 0;
            while (done < NrPages)
            {
                ulong batch = NrPages - done < PopulateBatch ? NrPages - done : PopulateBatch;
                for (ulong i = 0; i < batch; i++)
                    p2m[done + i] = done + i;
                XenMemoryReservation reservation = default;
                reservation.ExtentStart = (ulong)(p2m + done);
                reservation.NrExtents = batch;
                reservation.DomId = Domain;
                long rc = Hypercalls.MemoryOp(MemoryOp.PopulatePhysmap, &reservation);
                if (rc < 0)
                    return Fail("populate_physmap", rc, null);
                if ((ulong)rc != batch)
                    return Fail("populate_physmap", rc, "fewer extents done than asked");
                done += batch;
            }
            populated = true;
            return 0;
        }

        /// <summary>Step 4: lays the domain out, writes it and makes vCPU 0 ready to run the kernel with the
        /// command line <paramref name="commandLine"/> (<paramref name="length"/> bytes, at most 1023 kept).</summary>
        public long Build(byte* commandLine, int length)
        {
            if (image.SegmentCount == 0)
                return Fail("image", -XenErrno.ENOEXEC, "no image loaded");
            long rc;
            if (!populated && (rc = Populate()) != 0)
                return rc;
            string why = DomainLayout.Plan(image.VirtBase, image.KernelEnd, NrPages, out layout);
            if (why != null)
                return Fail("layout", -XenErrno.ENOMEM, why);

            rc = DomainControl.GetInfo(Domain, out DomctlGetDomainInfo info);
            if (rc == 0 && info.Domain != Domain)
                rc = -XenErrno.ESRCH;
            if (rc != 0)
                return Fail("getdomaininfo", rc, null);
            SharedInfoFrame = info.SharedInfoFrame;

            if ((rc = WriteKernel()) != 0 || (rc = WriteP2m()) != 0 || (rc = WriteStartInfo(commandLine, length)) != 0
                || (rc = ZeroPage(layout.Report, "report_page")) != 0 || (rc = WritePageTables()) != 0
                || (rc = ZeroPage(layout.Stack, "stack")) != 0 || (rc = MaskUpcalls()) != 0)
            {
                window.Restore();
                return rc;
            }
            rc = window.Restore();
            if (rc != 0)
                return Fail("unmap_window", rc, null);

            if (image.HasHypercallPage)
            {
                rc = DomainControl.HypercallInit(Domain, FrameOf(image.HypercallPage));
                if (rc != 0)
                    return Fail("hypercall_init", rc, null);
            }

            L4Frame = FrameOf(layout.PageTables);
            MmuextOp pin = default;
            pin.Cmd = MmuextCommand.PinL4Table;
            pin.Mfn = L4Frame;
            uint done = 0;
            rc = Hypercalls.MmuextOp(&pin, 1, &done, Domain);
            if (rc != 0)
                return Fail("pin_l4", rc, null);

            if (context == null)
                context = (VcpuGuestContext*)GuestMemory.AllocatePages(2);
            else
                for (int i = 0; i < sizeof(VcpuGuestContext); i++)
                    ((byte*)context)[i] = 0;
            context->Flags = VcpuGuestContextFlags.InKernel | VcpuGuestContextFlags.Online;
            context->UserRegs.Rip = image.Entry;
            context->UserRegs.Rsp = layout.StackEnd;
            context->UserRegs.Rsi = layout.StartInfo;
            context->UserRegs.Rflags = 0x202;
            context->UserRegs.Cs = KernelCs;
            context->UserRegs.Ss = KernelDs;
            context->UserRegs.Ds = KernelDs;
            context->UserRegs.Es = KernelDs;
            context->UserRegs.Fs = KernelDs;
            context->UserRegs.Gs = KernelDs;
            context->KernelSs = KernelDs;
            context->KernelSp = layout.StackEnd;
            context->CtrlReg[3] = L4Frame << 12;
            rc = DomainControl.SetVcpuContext(Domain, 0, context);
            if (rc != 0)
                return Fail("setvcpucontext", rc, null);
            return 0;
        }

        /// <summary>Step 5: the first unpause, which starts the domain.</summary>
        public long Start()
        {
            long rc = DomainControl.Unpause(Domain);
            return rc != 0 ? Fail("unpausedomain", rc, null) : 0;
        }

        /// <summary>Drops the window's foreign mapping, then destroys the domain.</summary>
        public long Destroy()
        {
            window.Restore();
            return DomainControl.Destroy(Domain);
        }

        /// <summary>The new domain's machine frame behind a virtual address of its region.</summary>
        public ulong FrameOf(ulong va) => p2m[layout.PfnOf(va)];

        /// <summary>Maps the new domain's page at <paramref name="va"/> (of its region) at the window;
        /// the window's address, or null (with the failure recorded) when the mapping was refused.</summary>
        public byte* MapPage(ulong va, bool writable)
        {
            long rc = window.Map(Domain, FrameOf(va), writable);
            if (rc != 0)
            {
                Fail("map_page", rc, null);
                return null;
            }
            return window.Page;
        }

        /// <summary>"step S returned R (ERRNO): detail", for a test's FAIL line.</summary>
        public ConsoleLine WriteFailure(ConsoleLine line)
        {
            line.Text("step ").Text(FailedStep == null ? "(none)" : FailedStep).Text(" returned ").Result(FailedResult);
            if (FailedDetail != null)
                line.Text(": ").Text(FailedDetail);
            return line;
        }

        private long Fail(string step, long result, string detail)
        {
            FailedStep = step;
            FailedResult = result;
            FailedDetail = detail;
            return result == 0 ? -XenErrno.EINVAL : result;
        }

        private long MapForWrite(ulong va, string step, out byte* page)
        {
            long rc = window.Map(Domain, FrameOf(va), true);
            page = window.Page;
            if (rc != 0)
                return Fail(step, rc, "update_va_mapping_otherdomain refused the frame");
            ForeignWindow.Zero(page);
            return 0;
        }

        private long ZeroPage(ulong va, string step) => MapForWrite(va, step, out _);

        // Every page of [VIRT_BASE, kernel end): zeroed, then the file bytes of the segments that touch it.
        private long WriteKernel()
        {
            for (ulong va = layout.VirtBase; va < layout.KernelEnd; va += PageSize)
            {
                long rc = MapForWrite(va, "load_kernel", out byte* page);
                if (rc != 0)
                    return rc;
                for (int s = 0; s < image.SegmentCount; s++)
                {
                    ElfSegment segment = image.Segment(s);
                    ulong from = segment.Virtual > va ? segment.Virtual : va;
                    ulong fileEnd = segment.Virtual + segment.FileSize;
                    ulong to = fileEnd < va + PageSize ? fileEnd : va + PageSize;
                    if (from >= to)
                        continue;
                    byte* source = image.Bytes + segment.FileOffset + (from - segment.Virtual);
                    byte* destination = page + (from - va);
                    for (ulong i = 0; i < to - from; i++)
                        destination[i] = source[i];
                }
            }
            return 0;
        }

        private long WriteP2m()
        {
            for (ulong p = 0; p < layout.P2mPages; p++)
            {
                long rc = MapForWrite(layout.P2mStart + p * PageSize, "write_p2m", out byte* page);
                if (rc != 0)
                    return rc;
                ulong* entries = (ulong*)page;
                for (ulong i = 0; i < 512 && p * 512 + i < NrPages; i++)
                    entries[i] = p2m[p * 512 + i];
            }
            return 0;
        }

        private long WriteStartInfo(byte* commandLine, int length)
        {
            long rc = MapForWrite(layout.StartInfo, "start_info", out byte* page);
            if (rc != 0)
                return rc;
            StartInfo* start = (StartInfo*)page;
            string magic = Abi.StartInfo.Magic64;
            for (int i = 0; i < magic.Length; i++)
                start->Magic[i] = (byte)magic[i];
            start->NrPages = NrPages;
            start->SharedInfo = SharedInfoFrame << 12;
            start->Flags = 0;
            start->PtBase = layout.PageTables;
            start->NrPtFrames = layout.PageTableFrames;
            start->MfnList = layout.P2mStart;
            int n = length < Abi.StartInfo.CmdLineLength - 1 ? length : Abi.StartInfo.CmdLineLength - 1;
            for (int i = 0; i < n && commandLine[i] != 0; i++)
                start->CmdLine[i] = commandLine[i];
            return 0;
        }

        private long WritePageTables()
        {
            for (ulong t = 0; t < layout.PageTableFrames; t++)
            {
                long rc = MapForWrite(layout.PageTables + t * PageSize, "page_tables", out byte* page);
                if (rc != 0)
                    return rc;
                BootPageTables.Fill((ulong*)page, t, layout, p2m);
            }
            return 0;
        }

        // As libxc does: every vCPU starts with events masked until its kernel opens them.
        private long MaskUpcalls()
        {
            long rc = window.Map(Domain, SharedInfoFrame, true);
            if (rc != 0)
                return Fail("shared_info", rc, "update_va_mapping_otherdomain refused the shared-info frame");
            SharedInfo* shared = (SharedInfo*)window.Page;
            for (int i = 0; i < SharedInfo.LegacyMaxVcpus; i++)
                SharedInfo.VcpuInfoOf(shared, i)->EvtchnUpcallMask = 1;
            return 0;
        }
    }
}
