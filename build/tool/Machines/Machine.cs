using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;

namespace Hypervisor.Tool.Machines
{
    /// <summary>
    /// An emulator process running one boot of the hypervisor. Captures the serial console line by line,
    /// each line stamped with the time since the process started (the clock starts right before
    /// Process.Start). Dispose kills the emulator if it still runs and removes its temporary files.
    /// Thread-safe: lines are appended by a reader thread and waited for by the caller.
    /// </summary>
    public abstract class Machine : IDisposable
    {
        private readonly object gate = new object();
        private readonly List<SerialLine> lines = new List<SerialLine>();
        private readonly SerialDecoder decoder = new SerialDecoder();
        private readonly StringBuilder diagnostics = new StringBuilder();
        private readonly Stopwatch clock = new Stopwatch();
        private bool finished;
        private bool killed;
        private bool disposed;
        private int? exitCode;
        private TimeSpan? exitTime;

        protected Machine(MachineOptions options)
        {
            Options = options ?? throw new ArgumentNullException(nameof(options));
            options.Validate();
            TempDirectory = Path.Combine(Path.GetTempPath(), "hv-machine-" + Guid.NewGuid().ToString("N").Substring(0, 12));
            Directory.CreateDirectory(TempDirectory);
        }

        public MachineOptions Options { get; }

        /// <summary>Scratch directory for this run (firmware variables, configuration, logs); removed on dispose.</summary>
        public string TempDirectory { get; }

        /// <summary>The emulator's process; null before Start.</summary>
        protected Process Process { get; private set; }

        /// <summary>The command that was started (for messages).</summary>
        public string CommandLine { get; private set; }

        /// <summary>Called on the reader thread for every line, as it arrives.</summary>
        public event Action<SerialLine> LineReceived;

        /// <summary>Time since the emulator was started.</summary>
        public TimeSpan Elapsed => clock.Elapsed;

        public bool Started => Process != null;

        /// <summary>True when the process has exited and all of its output has been read.</summary>
        public bool HasExited { get { lock (gate) return finished; } }

        /// <summary>True when the process ended because we killed it (timeout, dispose).</summary>
        public bool WasKilled { get { lock (gate) return killed; } }

        public int? ExitCode { get { lock (gate) return exitCode; } }

        /// <summary>When the process exit was observed, relative to its start.</summary>
        public TimeSpan? ExitTime { get { lock (gate) return exitTime; } }

        /// <summary>True when the emulator ended by itself because the guest powered the machine off.</summary>
        public abstract bool PoweredOff { get; }

        /// <summary>How the emulator ended when it was not a power-off, in words for a report.</summary>
        public virtual string EndWithoutPowerOff => $"the emulator ended (exit code {ExitCode?.ToString() ?? "?"})";

        /// <summary>A snapshot of the serial lines captured so far.</summary>
        public IReadOnlyList<SerialLine> Lines
        {
            get { lock (gate) return lines.ToArray(); }
        }

        /// <summary>The emulator's own messages (stderr, logs) captured so far.</summary>
        public string Diagnostics
        {
            get { lock (gate) return diagnostics.ToString(); }
        }

        public void Start()
        {
            ThrowIfDisposed();
            if (Process != null)
                throw new InvalidOperationException("machine already started");
            ProcessStartInfo psi = CreateStartInfo();
            psi.UseShellExecute = false;
            psi.RedirectStandardOutput = true;
            psi.RedirectStandardError = true;
            psi.RedirectStandardInput = true;
            CommandLine = psi.FileName + " " + string.Join(" ", psi.ArgumentList);
            var process = new Process { StartInfo = psi };
            clock.Restart();
            try
            {
                process.Start();
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                clock.Stop();
                process.Dispose();
                throw new InvalidOperationException($"cannot start {psi.FileName}: {e.Message} (is it installed? try ./hv deps)", e);
            }
            Process = process;
            OnStarted();
            var thread = new Thread(Pump) { IsBackground = true, Name = "machine-pump" };
            thread.Start();
        }

        /// <summary>Builds the emulator command; called once by Start.</summary>
        protected abstract ProcessStartInfo CreateStartInfo();

        /// <summary>Hook after the process started (e.g. close stdin).</summary>
        protected virtual void OnStarted()
        {
        }

        /// <summary>
        /// Reads the serial console until the emulator's output ends and the process has exited.
        /// Runs on a dedicated thread. Must call <see cref="OnSerialData"/> and, at the end, return.
        /// </summary>
        protected abstract void ReadSerial();

        private void Pump()
        {
            try
            {
                ReadSerial();
            }
            catch (Exception e)
            {
                AppendDiagnostics($"[hv-tool] serial reader failed: {e.Message}\n");
            }
            var last = decoder.Flush();
            if (last.HasValue)
                AddLine(last.Value.Raw, last.Value.Text);
            try
            {
                Process.WaitForExit();
            }
            catch (Exception)
            {
                // Already gone.
            }
            OnExited();
            lock (gate)
            {
                try
                {
                    exitCode = Process.ExitCode;
                }
                catch (InvalidOperationException)
                {
                    exitCode = null;
                }
                exitTime ??= clock.Elapsed;
                finished = true;
                Monitor.PulseAll(gate);
            }
        }

        /// <summary>Hook on the reader thread after the process exited, before HasExited becomes true
        /// (e.g. collect logs).</summary>
        protected virtual void OnExited()
        {
        }

        /// <summary>Records the moment the process was seen exiting (before its output is drained).</summary>
        protected void MarkExitTime()
        {
            lock (gate)
                exitTime ??= clock.Elapsed;
        }

        protected void OnSerialData(ReadOnlySpan<byte> data)
        {
            foreach (var (raw, text) in decoder.Feed(data))
                AddLine(raw, text);
        }

        protected void AppendDiagnostics(string text)
        {
            lock (gate)
                diagnostics.Append(text);
        }

        private void AddLine(string raw, string text)
        {
            SerialLine line;
            lock (gate)
            {
                line = new SerialLine(lines.Count, clock.Elapsed, text, raw);
                lines.Add(line);
                Monitor.PulseAll(gate);
            }
            try
            {
                LineReceived?.Invoke(line);
            }
            catch (Exception)
            {
                // A listener's failure must not stop the capture.
            }
        }

        /// <summary>
        /// Waits until a serial line at index >= <paramref name="fromIndex"/> matches; returns it, or null
        /// when the timeout passes or the emulator ends without such a line.
        /// </summary>
        public SerialLine WaitForLine(Regex pattern, TimeSpan timeout, int fromIndex = 0)
        {
            if (pattern == null)
                throw new ArgumentNullException(nameof(pattern));
            var deadline = Stopwatch.StartNew();
            lock (gate)
            {
                int next = fromIndex;
                while (true)
                {
                    for (; next < lines.Count; next++)
                    {
                        if (pattern.IsMatch(lines[next].Text))
                            return lines[next];
                    }
                    if (finished || Process == null)
                        return null;
                    TimeSpan left = timeout - deadline.Elapsed;
                    if (left <= TimeSpan.Zero)
                        return null;
                    Monitor.Wait(gate, left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1));
                }
            }
        }

        /// <summary>Convenience: <see cref="WaitForLine(Regex, TimeSpan, int)"/> with a pattern string.</summary>
        public SerialLine WaitForLine(string pattern, TimeSpan timeout, int fromIndex = 0)
            => WaitForLine(new Regex(pattern, RegexOptions.CultureInvariant), timeout, fromIndex);

        /// <summary>The first line matching, among those captured so far; null if none.</summary>
        public SerialLine FindLine(Regex pattern)
        {
            lock (gate)
            {
                foreach (SerialLine line in lines)
                {
                    if (pattern.IsMatch(line.Text))
                        return line;
                }
                return null;
            }
        }

        /// <summary>Waits for the emulator to exit by itself and its output to be drained. False on timeout.</summary>
        public bool WaitForExit(TimeSpan timeout)
        {
            if (Process == null)
                throw new InvalidOperationException("machine not started");
            var deadline = Stopwatch.StartNew();
            lock (gate)
            {
                while (!finished)
                {
                    TimeSpan left = timeout - deadline.Elapsed;
                    if (left <= TimeSpan.Zero)
                        return false;
                    Monitor.Wait(gate, left < TimeSpan.FromSeconds(1) ? left : TimeSpan.FromSeconds(1));
                }
                return true;
            }
        }

        /// <summary>Kills the emulator (and its children) and waits until its output is drained.</summary>
        public void Kill()
        {
            if (Process == null)
                return;
            lock (gate)
            {
                if (finished)
                    return;
            }
            bool alreadyGone;
            try
            {
                alreadyGone = Process.HasExited;
            }
            catch (InvalidOperationException)
            {
                alreadyGone = true;
            }
            try
            {
                if (!alreadyGone)
                {
                    lock (gate)
                        killed = true;
                }
                Process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Exited meanwhile.
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Exited meanwhile.
            }
            WaitForExit(TimeSpan.FromSeconds(10));
        }

        /// <summary>Everything captured, for failure messages: the command, the serial lines with their
        /// times, the exit status and the emulator's diagnostics (last part).</summary>
        public string Transcript(int maxDiagnosticsChars = 4000)
        {
            var sb = new StringBuilder();
            sb.Append("command: ").AppendLine(CommandLine ?? "(not started)");
            sb.AppendLine("serial console:");
            foreach (SerialLine line in Lines)
                sb.Append("  ").AppendLine(line.ToString());
            lock (gate)
            {
                sb.Append("status: ");
                if (!finished)
                    sb.AppendLine("still running");
                else
                    sb.AppendLine($"exited {(killed ? "(killed) " : string.Empty)}with code {exitCode?.ToString() ?? "?"} after {exitTime?.TotalSeconds:0.000} s");
                string diag = diagnostics.ToString();
                if (diag.Length > 0)
                {
                    if (diag.Length > maxDiagnosticsChars)
                        diag = "..." + diag.Substring(diag.Length - maxDiagnosticsChars);
                    sb.AppendLine("emulator diagnostics:");
                    sb.AppendLine(diag.TrimEnd());
                }
            }
            return sb.ToString();
        }

        protected void ThrowIfDisposed()
        {
            if (disposed)
                throw new ObjectDisposedException(GetType().Name);
        }

        public void Dispose()
        {
            Dispose(true);
            GC.SuppressFinalize(this);
        }

        protected virtual void Dispose(bool disposing)
        {
            if (disposed)
                return;
            disposed = true;
            if (disposing && Process != null)
            {
                Kill();
                try
                {
                    Process.StandardInput.Dispose();
                }
                catch (Exception)
                {
                    // Pipe already closed.
                }
                Process.Dispose();
            }
            try
            {
                if (Directory.Exists(TempDirectory))
                    Directory.Delete(TempDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Best effort.
            }
            catch (UnauthorizedAccessException)
            {
                // Best effort.
            }
        }
    }
}
