namespace Hypervisor.Core
{
    // The version the banner and xen_version-style queries report.
    public static class HypervisorVersion
    {
        public const string Text = "0.1.0";
        public const int Major = 0;
        public const int Minor = 1;
        public const int Patch = 0;
    }
}
