using System;

namespace Hypervisor.Core.Text
{
    /// <summary>
    /// Levelled, prefixed logging onto a <see cref="ConsoleSink"/>. A line is built piece by piece:
    /// <c>log.Begin(LogLevel.Info).Text("Memory: ").Size(bytes).End();</c>. The builder is a struct and
    /// writes straight to the sink, so logging never allocates. Every line starts with <c>(HV) </c>;
    /// warnings add <c>Warning: </c> and errors <c>Error: </c>. Lines above <see cref="Level"/> are
    /// dropped whole.
    /// </summary>
    public sealed class LogWriter
    {
        private readonly ConsoleSink sink;

        // True after a '\n' inside a line: the next byte starts a continuation line that needs the
        // "(HV) " prefix again, so multi-line text stays recognisable as hypervisor output.
        private bool continuationPending;

        public LogWriter(ConsoleSink sink, LogLevel level)
        {
            this.sink = sink;
            Level = level;
        }

        /// <summary>The most detailed level printed; lines with a higher level are dropped.</summary>
        public LogLevel Level { get; set; }

        public ConsoleSink Sink
        {
            get { return sink; }
        }

        public bool IsEnabled(LogLevel level)
        {
            return level != LogLevel.None && (int)level <= (int)Level;
        }

        /// <summary>Starts a line; every piece of it is dropped when the level is filtered out.</summary>
        public LogLine Begin(LogLevel level)
        {
            bool enabled = IsEnabled(level);
            if (enabled)
            {
                continuationPending = false;
                WritePrefix();
                if (level == LogLevel.Warning)
                {
                    WriteRaw("Warning: ");
                }
                else if (level == LogLevel.Error)
                {
                    WriteRaw("Error: ");
                }
            }

            return new LogLine(this, enabled);
        }

        public LogLine Error()
        {
            return Begin(LogLevel.Error);
        }

        public LogLine Warning()
        {
            return Begin(LogLevel.Warning);
        }

        public LogLine Info()
        {
            return Begin(LogLevel.Info);
        }

        public LogLine Debug()
        {
            return Begin(LogLevel.Debug);
        }

        /// <summary>One byte of line content: '\n' ends the physical line, anything else is shown as is
        /// (callers map non-printables before this).</summary>
        internal void Put(byte b)
        {
            if (continuationPending)
            {
                continuationPending = false;
                WritePrefix();
            }

            sink.Write(b);
            if (b == (byte)'\n')
            {
                continuationPending = true;
            }
        }

        /// <summary>Ends the line unless the last piece already did.</summary>
        internal void EndLine()
        {
            if (continuationPending)
            {
                continuationPending = false;
                return;
            }

            sink.Write((byte)'\n');
        }

        private void WritePrefix()
        {
            WriteRaw("(HV) ");
        }

        private void WriteRaw(string literal)
        {
            for (int i = 0; i < literal.Length; i++)
            {
                sink.Write((byte)literal[i]);
            }
        }
    }
}
