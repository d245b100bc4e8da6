namespace Hypervisor.Abi
{
    /// <summary>Xen's errno values (public/errno.h). Hypercalls return them negated in RAX. They match
    /// Linux's numbering, which is why guests can pass them straight on.</summary>
    public static class XenErrno
    {
        public const int EPERM = 1;
        public const int ENOENT = 2;
        public const int ESRCH = 3;
        public const int EINTR = 4;
        public const int EIO = 5;
        public const int ENXIO = 6;
        public const int E2BIG = 7;
        public const int ENOEXEC = 8;
        public const int EBADF = 9;
        public const int ECHILD = 10;
        public const int EAGAIN = 11;
        public const int ENOMEM = 12;
        public const int EACCES = 13;
        public const int EFAULT = 14;
        public const int EBUSY = 16;
        public const int EEXIST = 17;
        public const int EXDEV = 18;
        public const int ENODEV = 19;
        public const int EISDIR = 21;
        public const int EINVAL = 22;
        public const int ENFILE = 23;
        public const int EMFILE = 24;
        public const int ENOSPC = 28;
        public const int EROFS = 30;
        public const int EMLINK = 31;
        public const int EDOM = 33;
        public const int ERANGE = 34;
        public const int EDEADLK = 35;
        public const int ENAMETOOLONG = 36;
        public const int ENOLCK = 37;
        public const int ENOSYS = 38;
        public const int ENOTEMPTY = 39;
        public const int ENODATA = 61;
        public const int ETIME = 62;
        public const int EBADMSG = 74;
        public const int EOVERFLOW = 75;
        public const int EILSEQ = 84;
        public const int ERESTART = 85;
        public const int EUSERS = 87;
        public const int ENOTSOCK = 88;
        public const int EMSGSIZE = 90;
        public const int EOPNOTSUPP = 95;
        public const int EADDRINUSE = 98;
        public const int EADDRNOTAVAIL = 99;
        public const int ENOBUFS = 105;
        public const int EISCONN = 106;
        public const int ENOTCONN = 107;
        public const int ETIMEDOUT = 110;
        public const int ECONNREFUSED = 111;
    }
}
