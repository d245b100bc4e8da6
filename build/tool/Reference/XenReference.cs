using System;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace Hypervisor.Tool.Reference
{
    /// <summary>
    /// The reference hypervisor: Xen 4.17 from Debian's xen-hypervisor-4.17-amd64 package. Its image,
    /// /boot/xen-4.17-amd64.gz, gunzipped, is an ELF32 multiboot1 file that QEMU's -kernel boots, with
    /// the guest as the first boot module (dom0). The package is installed on demand (apt-get, as
    /// root or through password-less sudo) and the image is unpacked once into out/xen/.
    /// </summary>
    public sealed class XenReference
    {
        public const string Package = "xen-hypervisor-4.17-amd64";
        public const string CompressedImage = "/boot/xen-4.17-amd64.gz";
        public const string ImageName = "xen-4.17-amd64";

        /// <summary>Xen's command line for a run: serial console, dom0 of the given size (a vCPU per CPU),
        /// the credit scheduler (credit1, the one this hypervisor follows; Xen 4.17's default is
        /// credit2), every log line.</summary>
        public static string CommandLine(string dom0Memory)
            => $"console=com1 com1=115200,8n1 dom0_mem={dom0Memory} sched=credit loglvl=all guest_loglvl=all";

        private static readonly TimeSpan AptTimeout = TimeSpan.FromMinutes(10);

        public XenReference(string repoRoot)
        {
            ImagePath = Path.Combine(repoRoot, "out", "xen", ImageName);
        }

        /// <summary>Where the unpacked image goes (out/xen/xen-4.17-amd64).</summary>
        public string ImagePath { get; }

        /// <summary>Installs the package if its image is missing and unpacks the image if it is missing or
        /// older than the package's; returns the image's path. Progress goes to <paramref name="log"/>.</summary>
        public string EnsureImage(TextWriter log)
        {
            if (!File.Exists(CompressedImage))
                Install(log);
            if (!File.Exists(CompressedImage))
                throw new XenUnavailableException($"{Package} is installed but {CompressedImage} is missing");
            if (!File.Exists(ImagePath) || File.GetLastWriteTimeUtc(ImagePath) < File.GetLastWriteTimeUtc(CompressedImage))
                Unpack(log);
            return ImagePath;
        }

        private void Unpack(TextWriter log)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(ImagePath));
            string temporary = ImagePath + ".tmp";
            using (FileStream input = File.OpenRead(CompressedImage))
            using (var gzip = new GZipStream(input, CompressionMode.Decompress))
            using (FileStream output = File.Create(temporary))
                gzip.CopyTo(output);
            File.Move(temporary, ImagePath, overwrite: true);
            log.WriteLine($"hv-tool: unpacked {CompressedImage} to {ImagePath} ({new FileInfo(ImagePath).Length} bytes)");
        }

        private static void Install(TextWriter log)
        {
            string[] prefix;
            if (Environment.IsPrivilegedProcess)
                prefix = Array.Empty<string>();
            else if (Run("sudo", new[] { "-n", "true" }, out _) == 0)
                prefix = new[] { "sudo", "-n" };
            else
                throw new XenUnavailableException(
                    $"Xen 4.17 is not installed ({CompressedImage} is missing) and this user cannot install it.\n" +
                    $"Install it as root: apt-get install -y --no-install-recommends {Package}   (or run ./hv deps as root)");

            log.WriteLine($"hv-tool: installing the reference hypervisor ({Package}) with apt-get...");
            string output;
            if (Apt(prefix, new[] { "install", "-y", "-q", "--no-install-recommends", Package }, out output) != 0)
            {
                log.WriteLine("hv-tool: apt-get install failed; updating the package lists and trying again...");
                if (Apt(prefix, new[] { "update", "-q" }, out output) != 0)
                    throw new XenUnavailableException($"apt-get update failed:\n{Tail(output)}");
                if (Apt(prefix, new[] { "install", "-y", "-q", "--no-install-recommends", Package }, out output) != 0)
                    throw new XenUnavailableException($"apt-get install {Package} failed:\n{Tail(output)}");
            }
            log.WriteLine($"hv-tool: installed {Package}");
        }

        private static int Apt(string[] prefix, string[] args, out string output)
        {
            var all = new string[prefix.Length + 4 + args.Length];
            int n = 0;
            foreach (string p in prefix)
                all[n++] = p;
            all[n++] = "env";
            all[n++] = "DEBIAN_FRONTEND=noninteractive";
            all[n++] = "apt-get";
            all[n++] = "-o=Dpkg::Use-Pty=0";
            foreach (string a in args)
                all[n++] = a;
            return Run(all[0], all[1..], out output);
        }

        private static int Run(string file, string[] args, out string output)
        {
            var psi = new ProcessStartInfo(file)
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
            };
            foreach (string a in args)
                psi.ArgumentList.Add(a);
            psi.Environment["DEBIAN_FRONTEND"] = "noninteractive";
            var text = new StringBuilder();
            try
            {
                using var p = new Process { StartInfo = psi };
                p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (text) text.AppendLine(e.Data); };
                p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (text) text.AppendLine(e.Data); };
                p.Start();
                p.StandardInput.Close();
                p.BeginOutputReadLine();
                p.BeginErrorReadLine();
                if (!p.WaitForExit((int)AptTimeout.TotalMilliseconds))
                {
                    p.Kill(entireProcessTree: true);
                    lock (text)
                        output = text.ToString() + $"\n(killed after {AptTimeout.TotalMinutes} min)";
                    return 124;
                }
                p.WaitForExit();
                lock (text)
                    output = text.ToString();
                return p.ExitCode;
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                output = $"cannot run {file}: {e.Message}";
                return 127;
            }
        }

        private static string Tail(string s) => s.Length > 3000 ? "..." + s.Substring(s.Length - 3000) : s;
    }

    /// <summary>The reference hypervisor cannot be provided; the message says why and what to do.</summary>
    public sealed class XenUnavailableException : Exception
    {
        public XenUnavailableException(string message) : base(message)
        {
        }
    }
}
