using System;
using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Text;

namespace Hypervisor.Core.Hypercalls.Handlers
{
    /// <summary>console_io(cmd, count, buffer): the hypervisor's own console, for early output of the
    /// privileged domain (others get -EPERM, as under Xen's default policy). Output is assembled into
    /// lines that carry the domain's prefix, "(d0) ".</summary>
    public static class ConsoleIoHypercall
    {
        private const int Chunk = 128;

        public static long Handle(Vcpu vcpu, in HypercallArguments args)
        {
            if (!vcpu.Domain.IsPrivileged)
                return -XenErrno.EPERM;
            uint count = (uint)args.A2;
            switch ((int)(uint)args.A1)
            {
                case ConsoleIoCommand.Write:
                    return Write(vcpu, args.A3, count);
                case ConsoleIoCommand.Read:
                    // Serial input is not routed to guests yet: nothing is ever pending.
                    return count > int.MaxValue ? -XenErrno.E2BIG : 0;
                default:
                    return -XenErrno.ENOSYS;
            }
        }

        private static long Write(Vcpu vcpu, ulong buffer, uint count)
        {
            Span<byte> chunk = stackalloc byte[Chunk];
            Domain domain = vcpu.Domain;
            while (count > 0)
            {
                int length = count < Chunk ? (int)count : Chunk;
                Span<byte> part = chunk.Slice(0, length);
                if (!GuestMemory.TryRead(vcpu, buffer, part))
                    return -XenErrno.EFAULT;
                for (int i = 0; i < length; i++)
                    Append(domain, part[i]);
                buffer += (ulong)length;
                count -= (uint)length;
            }
            return 0;
        }

        private static void Append(Domain domain, byte c)
        {
            if (c == (byte)'\n' || domain.ConsoleLineLength == domain.ConsoleLine.Length)
            {
                FlushLine(domain);
                if (c == (byte)'\n')
                    return;
            }
            if (c == (byte)'\r')
                return;
            domain.ConsoleLine[domain.ConsoleLineLength++] = AsciiBytes.IsPrintable(c) || c == (byte)'\t' ? c : (byte)'?';
        }

        /// <summary>Prints the domain's unfinished console line, if any (also used when it stops).</summary>
        public static void FlushLine(Domain domain)
        {
            ConsoleSink sink = domain.Host.Log.Sink;
            sink.Write((byte)'(');
            sink.Write((byte)'d');
            WriteDecimal(sink, domain.Id);
            sink.Write((byte)')');
            sink.Write((byte)' ');
            sink.Write(new ReadOnlySpan<byte>(domain.ConsoleLine, 0, domain.ConsoleLineLength));
            sink.Write((byte)'\n');
            domain.ConsoleLineLength = 0;
        }

        private static void WriteDecimal(ConsoleSink sink, uint value)
        {
            Span<byte> digits = stackalloc byte[10];
            int n = 0;
            do
            {
                digits[digits.Length - ++n] = (byte)('0' + value % 10);
                value /= 10;
            } while (value != 0);
            sink.Write(digits.Slice(digits.Length - n));
        }
    }
}
