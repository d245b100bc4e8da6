using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;

namespace Hypervisor.Integration.Tests
{
    /// <summary>Runs the ./hv front door as a user would, capturing its output.</summary>
    internal static class HvScript
    {
        public sealed record Result(int ExitCode, string Stdout, string Stderr, bool TimedOut)
        {
            public string Describe() => $"exit code {ExitCode}{(TimedOut ? " (timed out)" : string.Empty)}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
        }

        public static Result Run(string root, TimeSpan timeout, IDictionary<string, string> environment, params string[] args)
        {
            var psi = new ProcessStartInfo(Path.Combine(root, "hv"))
            {
                WorkingDirectory = root,
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
            };
            foreach (string a in args)
                psi.ArgumentList.Add(a);
            if (environment != null)
            {
                foreach (var pair in environment)
                    psi.Environment[pair.Key] = pair.Value;
            }
            var stdout = new StringBuilder();
            var stderr = new StringBuilder();
            using var p = new Process { StartInfo = psi };
            p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (stdout) stdout.AppendLine(e.Data); };
            p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (stderr) stderr.AppendLine(e.Data); };
            p.Start();
            p.StandardInput.Close();
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            bool exited = p.WaitForExit((int)timeout.TotalMilliseconds);
            if (!exited)
                p.Kill(entireProcessTree: true);
            p.WaitForExit();
            lock (stdout)
                lock (stderr)
                    return new Result(exited ? p.ExitCode : -1, stdout.ToString(), stderr.ToString(), !exited);
        }
    }
}
