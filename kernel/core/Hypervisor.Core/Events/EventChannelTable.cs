using Hypervisor.Abi;

namespace Hypervisor.Core.Events
{
    /// <summary>
    /// A domain's ports (2-level ABI: at most 4096). Ports are handed out lowest first. As in Xen, the
    /// table grows in buckets of 64 ports: a port inside a bucket that has been handed out is "valid"
    /// even while free (status reports it closed, unmask accepts it), a port beyond them is not
    /// (-EINVAL for every operation). Port 0 is reserved.
    /// </summary>
    public sealed class EventChannelTable
    {
        /// <summary>Ports per bucket: a 4 KiB page of 64-byte channels in Xen.</summary>
        public const int PortsPerBucket = 64;
        public const int MaxPorts = EventChannelOp.NrChannels2Level;

        private readonly EventChannel[] ports = new EventChannel[MaxPorts];

        public EventChannelTable()
        {
            ValidPorts = PortsPerBucket;
            ports[0].State = EventChannelState.Reserved;
        }

        /// <summary>Ports [0, ValidPorts) exist; the rest have never been needed.</summary>
        public int ValidPorts { get; private set; }

        public bool IsValid(uint port) => port < (uint)ValidPorts;

        /// <summary>The channel of a valid port (check <see cref="IsValid"/> first).</summary>
        public ref EventChannel this[uint port] => ref ports[(int)port];

        /// <summary>The lowest free port, growing the table by a bucket if needed; -ENOSPC when all
        /// 4096 are in use. The port stays free until the caller sets its state.</summary>
        public long FindFreePort()
        {
            for (int port = 1; port < MaxPorts; port++)
            {
                if (port >= ValidPorts)
                    ValidPorts += PortsPerBucket;
                if (ports[port].State == EventChannelState.Free)
                    return port;
            }
            return -XenErrno.ENOSPC;
        }

        /// <summary>Marks a port free again (its pending bit is the caller's to clear).</summary>
        public void Free(uint port)
        {
            ports[(int)port] = default;
        }
    }
}
