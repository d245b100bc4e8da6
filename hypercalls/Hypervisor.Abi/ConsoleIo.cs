namespace Hypervisor.Abi
{
    /// <summary>Commands of the console_io hypercall (xen.h CONSOLEIO_*), called as
    /// console_io(cmd, count, buffer).</summary>
    public static class ConsoleIoCommand
    {
        /// <summary><c>CONSOLEIO_write</c>: print <c>count</c> bytes on Xen's console; returns 0.
        /// Output of unprivileged domains is filtered to printable characters and may wait for a
        /// newline.</summary>
        public const int Write = 0;

        /// <summary><c>CONSOLEIO_read</c>: read up to <c>count</c> bytes of Xen's console input; returns
        /// the number read.</summary>
        public const int Read = 1;
    }
}
