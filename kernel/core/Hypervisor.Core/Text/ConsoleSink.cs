using System;

namespace Hypervisor.Core.Text
{
    /// <summary>Where the hypervisor's text goes (the serial port, the VGA text buffer, a test buffer).
    /// Bytes are ASCII; a line ends with a single '\n' and the sink decides how to show it (the serial
    /// arch turns it into CR LF).</summary>
    public abstract class ConsoleSink
    {
        public abstract void Write(byte b);

        public virtual void Write(ReadOnlySpan<byte> bytes)
        {
            for (int i = 0; i < bytes.Length; i++)
            {
                Write(bytes[i]);
            }
        }

        /// <summary>Waits until everything written has left the device (before a halt or a power-off).</summary>
        public virtual void Flush()
        {
        }
    }
}
