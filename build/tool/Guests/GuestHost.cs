namespace Hypervisor.Tool.Guests
{
    /// <summary>Which hypervisor a PV guest runs on.</summary>
    public enum GuestHost
    {
        /// <summary>This project's hypervisor (out/hypervisor.elf through QEMU's -kernel).</summary>
        Ours,

        /// <summary>The reference, Xen 4.17 (Debian's image through QEMU's -kernel).</summary>
        Xen,
    }

    public static class GuestHosts
    {
        public static string Name(GuestHost host) => host == GuestHost.Xen ? "xen" : "ours";

        public static bool TryParse(string text, out GuestHost host)
        {
            switch (text)
            {
                case "ours": host = GuestHost.Ours; return true;
                case "xen": host = GuestHost.Xen; return true;
                default: host = GuestHost.Ours; return false;
            }
        }
    }
}
