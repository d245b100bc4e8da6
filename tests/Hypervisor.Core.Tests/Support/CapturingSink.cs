using System.Collections.Generic;
using System.Text;
using Hypervisor.Core.Text;

namespace Hypervisor.Core.Tests.Support
{
    /// <summary>A console that remembers every byte written to it.</summary>
    public sealed class CapturingSink : ConsoleSink
    {
        public List<byte> Bytes { get; } = new List<byte>();

        public override void Write(byte b)
        {
            Bytes.Add(b);
        }

        public string Text => Encoding.ASCII.GetString(Bytes.ToArray());

        public static (LogWriter Log, CapturingSink Sink) NewLog(LogLevel level = LogLevel.Debug)
        {
            var sink = new CapturingSink();
            return (new LogWriter(sink, level), sink);
        }
    }
}
