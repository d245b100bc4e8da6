namespace Hypervisor.Core.Boot
{
    /// <summary>A file the boot loader loaded for us: [Start, End) in physical memory and its string
    /// (by Xen's convention the first module is dom0's kernel, its string "name args...").</summary>
    public struct BootModule
    {
        public ulong Start;

        /// <summary>One past the last byte.</summary>
        public ulong End;

        /// <summary>The module's string as ASCII bytes; empty, never null.</summary>
        public byte[] CommandLine;

        public BootModule(ulong start, ulong end, byte[] commandLine)
        {
            Start = start;
            End = end;
            CommandLine = commandLine;
        }

        public ulong Length
        {
            get { return End >= Start ? End - Start : 0; }
        }
    }
}
