using Hypervisor.Abi;

namespace Hypervisor.Guest
{
    /// <summary>Names of Xen's errno values, for messages ("EFAULT").</summary>
    public static class ErrnoNames
    {
        /// <summary>The name of a positive errno value, or null when it has none here.</summary>
        public static string Find(int errno)
        {
            switch (errno)
            {
                case XenErrno.EPERM: return "EPERM";
                case XenErrno.ENOENT: return "ENOENT";
                case XenErrno.ESRCH: return "ESRCH";
                case XenErrno.EINTR: return "EINTR";
                case XenErrno.EIO: return "EIO";
                case XenErrno.ENXIO: return "ENXIO";
                case XenErrno.E2BIG: return "E2BIG";
                case XenErrno.ENOEXEC: return "ENOEXEC";
                case XenErrno.EBADF: return "EBADF";
                case XenErrno.ECHILD: return "ECHILD";
                case XenErrno.EAGAIN: return "EAGAIN";
                case XenErrno.ENOMEM: return "ENOMEM";
                case XenErrno.EACCES: return "EACCES";
                case XenErrno.EFAULT: return "EFAULT";
                case XenErrno.EBUSY: return "EBUSY";
                case XenErrno.EEXIST: return "EEXIST";
                case XenErrno.EXDEV: return "EXDEV";
                case XenErrno.ENODEV: return "ENODEV";
                case XenErrno.EISDIR: return "EISDIR";
                case XenErrno.EINVAL: return "EINVAL";
                case XenErrno.ENFILE: return "ENFILE";
                case XenErrno.EMFILE: return "EMFILE";
                case XenErrno.ENOSPC: return "ENOSPC";
                case XenErrno.EROFS: return "EROFS";
                case XenErrno.EMLINK: return "EMLINK";
                case XenErrno.EDOM: return "EDOM";
                case XenErrno.ERANGE: return "ERANGE";
                case XenErrno.EDEADLK: return "EDEADLK";
                case XenErrno.ENAMETOOLONG: return "ENAMETOOLONG";
                case XenErrno.ENOLCK: return "ENOLCK";
                case XenErrno.ENOSYS: return "ENOSYS";
                case XenErrno.ENOTEMPTY: return "ENOTEMPTY";
                case XenErrno.ENODATA: return "ENODATA";
                case XenErrno.ETIME: return "ETIME";
                case XenErrno.EBADMSG: return "EBADMSG";
                case XenErrno.EOVERFLOW: return "EOVERFLOW";
                case XenErrno.EILSEQ: return "EILSEQ";
                case XenErrno.ERESTART: return "ERESTART";
                case XenErrno.ENOTSOCK: return "ENOTSOCK";
                case XenErrno.EMSGSIZE: return "EMSGSIZE";
                case XenErrno.EOPNOTSUPP: return "EOPNOTSUPP";
                case XenErrno.EADDRINUSE: return "EADDRINUSE";
                case XenErrno.EADDRNOTAVAIL: return "EADDRNOTAVAIL";
                case XenErrno.ENOBUFS: return "ENOBUFS";
                case XenErrno.EISCONN: return "EISCONN";
                case XenErrno.ENOTCONN: return "ENOTCONN";
                case XenErrno.ETIMEDOUT: return "ETIMEDOUT";
                case XenErrno.ECONNREFUSED: return "ECONNREFUSED";
                default: return null;
            }
        }
    }
}
