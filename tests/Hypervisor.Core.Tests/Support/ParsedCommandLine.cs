using Hypervisor.Core.Boot;

namespace Hypervisor.Core.Tests.Support
{
    /// <summary>The hypervisor's command line as the boot path parses it: the options and the warnings.</summary>
    public static class ParsedCommandLine
    {
        public static (HypervisorOptions Options, BootWarningList Warnings) Of(string line)
        {
            var warnings = new BootWarningList();
            return (CommandLine.Parse(Ascii.Bytes(line), warnings), warnings);
        }
    }
}
