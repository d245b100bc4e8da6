using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>Names of grant_table_op's per-operation statuses (GNTST_*), for messages.</summary>
    public static class GrantStatusNames
    {
        /// <summary>The name of a status ("GNTST_bad_gntref"), or null when it has none.</summary>
        public static string Find(long status)
        {
            switch (status)
            {
                case GrantStatus.Okay: return "GNTST_okay";
                case GrantStatus.GeneralError: return "GNTST_general_error";
                case GrantStatus.BadDomain: return "GNTST_bad_domain";
                case GrantStatus.BadGntref: return "GNTST_bad_gntref";
                case GrantStatus.BadHandle: return "GNTST_bad_handle";
                case GrantStatus.BadVirtAddr: return "GNTST_bad_virt_addr";
                case GrantStatus.BadDevAddr: return "GNTST_bad_dev_addr";
                case GrantStatus.NoDeviceSpace: return "GNTST_no_device_space";
                case GrantStatus.PermissionDenied: return "GNTST_permission_denied";
                case GrantStatus.BadPage: return "GNTST_bad_page";
                case GrantStatus.BadCopyArg: return "GNTST_bad_copy_arg";
                case GrantStatus.AddressTooBig: return "GNTST_address_too_big";
                case GrantStatus.Eagain: return "GNTST_eagain";
                case GrantStatus.NoSpace: return "GNTST_no_space";
                default: return null;
            }
        }
    }
}
