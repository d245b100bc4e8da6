using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text.RegularExpressions;

namespace Hypervisor.Tool.Machines
{
    /// <summary>
    /// QEMU (software emulation, TCG) with the serial console on stdout. The guest powering the machine
    /// off makes QEMU exit with status 0; a trace event tells a guest power-off (reason 6) from a reset,
    /// which with -no-reboot also ends QEMU with status 0.
    /// </summary>
    public sealed class QemuMachine : Machine
    {
        public const string DefaultExecutable = "qemu-system-x86_64";

        /// <summary>"QEMU x.y.z" from `qemu-system-x86_64 --version`, for benchmark reports.</summary>
        public static string Version()
        {
            try
            {
                var psi = new ProcessStartInfo(QemuMachine.DefaultExecutable, "--version")
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                };
                using var p = Process.Start(psi);
                string first = p.StandardOutput.ReadLine() ?? string.Empty;
                p.WaitForExit(5000);
                var m = Regex.Match(first, @"version (\S+)");
                return m.Success ? "QEMU " + m.Groups[1].Value : "QEMU";
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception || e is InvalidOperationException)
            {
                return "QEMU (not found)";
            }
        }
        private const string ShutdownTrace = "qemu_system_shutdown_request";
        private const string GuestShutdownReason = "qemu_system_shutdown_request reason=6";

        public QemuMachine(MachineOptions options) : base(options)
        {
        }

        /// <summary>Starts a machine; the caller disposes it.</summary>
        public static QemuMachine Launch(MachineOptions options)
        {
            var machine = new QemuMachine(options);
            try
            {
                machine.Start();
                return machine;
            }
            catch
            {
                machine.Dispose();
                throw;
            }
        }

        /// <summary>Exited by itself with status 0 after the guest requested a shutdown (ACPI S5).</summary>
        public override bool PoweredOff
        {
            get
            {
                if (!HasExited || WasKilled || ExitCode != 0)
                    return false;
                string diag = Diagnostics + EmulatorLog;
                // An emulator without this trace event says so on stderr: then status 0 is all we have.
                if (diag.Contains("trace event '" + ShutdownTrace + "' does not exist", StringComparison.Ordinal))
                    return true;
                return diag.Contains(GuestShutdownReason, StringComparison.Ordinal);
            }
        }

        // QEMU's log (-D): the CPU resets, and the trace events, which go there rather than to stderr.
        private string LogPath => Path.Combine(TempDirectory, "qemu.log");

        private string EmulatorLog => File.Exists(LogPath) ? File.ReadAllText(LogPath) : string.Empty;

        /// <summary>Why QEMU ended by itself without a power-off. Under -no-reboot a reset of the machine
        /// ends QEMU with status 0: a triple fault (QEMU logs it) or a reset the guest asked for.</summary>
        public override string EndWithoutPowerOff
        {
            get
            {
                if (!HasExited || WasKilled || ExitCode != 0)
                    return base.EndWithoutPowerOff;
                return EmulatorLog.Contains("Triple fault", StringComparison.Ordinal)
                    ? "the emulated CPU triple-faulted (QEMU ended at the reset)"
                    : "the emulated machine was reset (QEMU ended at the reset)";
            }
        }

        /// <summary>The QEMU arguments for the options (without the executable).</summary>
        public IReadOnlyList<string> BuildArguments()
        {
            MachineOptions o = Options;
            var a = new List<string>
            {
                "-nodefaults", "-accel", "tcg", "-cpu", o.Cpu,
                "-m", o.MemoryMiB.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "-smp", o.Smp.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "-no-reboot", "-display", "none", "-serial", "stdio",
                "-trace", ShutdownTrace,
                // CPU resets and triple faults are logged too (a few register dumps at start), so that
                // an end without a power-off can be told apart (EndWithoutPowerOff).
                "-d", "cpu_reset", "-D", LogPath,
            };
            if (o.PreallocateMemory)
                a.Add("-mem-prealloc");
            if (!string.IsNullOrEmpty(o.MachineType))
            {
                a.Add("-machine");
                a.Add(o.MachineType);
            }
            if (o.Firmware == Firmware.Uefi)
            {
                var (code, vars) = Ovmf.Find();
                string varsCopy = Path.Combine(TempDirectory, "OVMF_VARS.fd");
                File.Copy(vars, varsCopy, overwrite: true);
                a.Add("-drive");
                a.Add($"if=pflash,format=raw,readonly=on,file={code}");
                a.Add("-drive");
                a.Add($"if=pflash,format=raw,file={varsCopy}");
            }
            if (o.Boot == BootKind.Iso)
            {
                a.Add("-cdrom");
                a.Add(RequireFile(o.IsoPath));
                a.Add("-boot");
                a.Add("d");
            }
            else
            {
                a.Add("-kernel");
                a.Add(RequireFile(o.KernelPath));
                if (!string.IsNullOrEmpty(o.Append))
                {
                    a.Add("-append");
                    a.Add(o.Append);
                }
                if (o.Modules.Count > 0)
                {
                    a.Add("-initrd");
                    a.Add(string.Join(",", o.Modules));
                }
            }
            a.AddRange(o.ExtraArgs);
            return a;
        }

        private static string RequireFile(string path)
        {
            if (!File.Exists(path))
                throw new FileNotFoundException($"boot file not found: {path} (build it with ./hv iso)", path);
            return Path.GetFullPath(path);
        }

        protected override ProcessStartInfo CreateStartInfo()
        {
            var psi = new ProcessStartInfo(Options.Executable ?? DefaultExecutable);
            foreach (string arg in BuildArguments())
                psi.ArgumentList.Add(arg);
            return psi;
        }

        protected override void ReadSerial()
        {
            var stderr = new System.Threading.Thread(() =>
            {
                try
                {
                    string line;
                    while ((line = Process.StandardError.ReadLine()) != null)
                        AppendDiagnostics(line + "\n");
                }
                catch (Exception)
                {
                    // Closed.
                }
            })
            { IsBackground = true, Name = "qemu-stderr" };
            stderr.Start();

            Stream stdout = Process.StandardOutput.BaseStream;
            var buffer = new byte[4096];
            int n;
            while ((n = stdout.Read(buffer, 0, buffer.Length)) > 0)
                OnSerialData(buffer.AsSpan(0, n));
            MarkExitTime();
            stderr.Join(TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>Locates the OVMF firmware of Debian's ovmf package (or another distribution's).</summary>
    public static class Ovmf
    {
        private static readonly (string Code, string Vars)[] Candidates =
        {
            ("/usr/share/OVMF/OVMF_CODE_4M.fd", "/usr/share/OVMF/OVMF_VARS_4M.fd"),
            ("/usr/share/OVMF/OVMF_CODE.fd", "/usr/share/OVMF/OVMF_VARS.fd"),
            ("/usr/share/edk2/ovmf/OVMF_CODE.fd", "/usr/share/edk2/ovmf/OVMF_VARS.fd"),
            ("/usr/share/edk2-ovmf/x64/OVMF_CODE.fd", "/usr/share/edk2-ovmf/x64/OVMF_VARS.fd"),
        };

        public static (string Code, string Vars) Find()
        {
            foreach (var c in Candidates)
            {
                if (File.Exists(c.Code) && File.Exists(c.Vars))
                    return c;
            }
            throw new FileNotFoundException("OVMF firmware not found (Debian: apt-get install ovmf, or ./hv deps)");
        }

        public static bool Available()
        {
            foreach (var c in Candidates)
            {
                if (File.Exists(c.Code) && File.Exists(c.Vars))
                    return true;
            }
            return false;
        }
    }
}
