using Hypervisor.Core.Text;

namespace Hypervisor.Core.DomainBuilding
{
    /// <summary>Why a kernel image cannot be built into a PV domain. Every value has a sentence a user
    /// can act on; <see cref="KernelImage.ProblemValue"/> carries the number it refers to.</summary>
    public enum KernelImageProblem
    {
        None,
        TooSmall,
        NotElf,
        Not64Bit,
        NotLittleEndian,
        NotX86_64,
        NotExecutable,
        BadProgramHeaders,
        SegmentOutsideFile,
        NoLoadableSegment,
        SegmentsOverlap,
        NoXenNotes,
        BadNote,
        WrongLoader,
        WrongXenVersion,
        PaddrOffsetWithoutVirtBase,
        EntryOutsideKernel,
        VirtBaseAboveKernel,
        OverlapsHypervisor,
        NonCanonical,
        HypercallPageOutsideKernel,
        RequiredFeatureUnsupported,
        P2mBaseOutOfRange,
    }

    public static class KernelImageProblems
    {
        /// <summary>Appends the explanation of <paramref name="problem"/> to a log line.</summary>
        public static LogLine Describe(LogLine line, KernelImageProblem problem, ulong value)
        {
            switch (problem)
            {
                case KernelImageProblem.None: return line.Text("no problem");
                case KernelImageProblem.TooSmall: return line.Text("it is ").Dec(value).Text(" bytes long, too short for an ELF header");
                case KernelImageProblem.NotElf: return line.Text("it is not an ELF file (no \\x7fELF magic)");
                case KernelImageProblem.Not64Bit: return line.Text("it is a 32-bit ELF file; only 64-bit (ELFCLASS64) PV kernels can run here");
                case KernelImageProblem.NotLittleEndian: return line.Text("it is a big-endian ELF file");
                case KernelImageProblem.NotX86_64: return line.Text("its ELF machine is ").Dec(value).Text(", not x86-64 (62)");
                case KernelImageProblem.NotExecutable: return line.Text("its ELF type is ").Dec(value).Text(", not an executable (2)");
                case KernelImageProblem.BadProgramHeaders: return line.Text("its program header table is malformed or lies outside the file");
                case KernelImageProblem.SegmentOutsideFile: return line.Text("loadable segment ").Dec(value).Text(" has file contents beyond the end of the file or a file size above its memory size");
                case KernelImageProblem.NoLoadableSegment: return line.Text("it has no loadable (PT_LOAD) segment");
                case KernelImageProblem.SegmentsOverlap: return line.Text("loadable segment ").Dec(value).Text(" overlaps another one");
                case KernelImageProblem.NoXenNotes: return line.Text("it has no Xen ELF notes (no note named \"Xen\"): it is not a Xen PV kernel");
                case KernelImageProblem.BadNote: return line.Text("Xen ELF note type ").Dec(value).Text(" is malformed (a number of bad size, or a string longer than 256 bytes)");
                case KernelImageProblem.WrongLoader: return line.Text("its LOADER note is not \"generic\" and its GUEST_OS note is not \"linux\"");
                case KernelImageProblem.WrongXenVersion: return line.Text("its XEN_VERSION note does not start with \"xen-3.0\"");
                case KernelImageProblem.PaddrOffsetWithoutVirtBase: return line.Text("it has a PADDR_OFFSET note but no VIRT_BASE note");
                case KernelImageProblem.EntryOutsideKernel: return line.Text("its entry point ").Hex(value).Text(" lies outside its loaded segments");
                case KernelImageProblem.VirtBaseAboveKernel: return line.Text("its VIRT_BASE ").Hex(value).Text(" lies above the start of the kernel");
                case KernelImageProblem.OverlapsHypervisor: return line.Text("its virtual range reaches ").Hex(value).Text(", inside the hypervisor's reserved range 0xffff800000000000-0xffff87ffffffffff");
                case KernelImageProblem.NonCanonical: return line.Text("its virtual address ").Hex(value).Text(" is not canonical");
                case KernelImageProblem.HypercallPageOutsideKernel: return line.Text("its HYPERCALL_PAGE ").Hex(value).Text(" is not a page-aligned address inside the kernel");
                case KernelImageProblem.RequiredFeatureUnsupported: return line.Text("it requires a feature this hypervisor does not offer (XENFEAT bit ").Dec(value).Text(")");
                case KernelImageProblem.P2mBaseOutOfRange: return line.Text("its INIT_P2M address ").Hex(value).Text(" is not canonical, or lies inside the kernel or the hypervisor's reserved range");
                default: return line.Text("unknown problem ").Dec((ulong)problem);
            }
        }
    }
}
