using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Hypervisor.Tool.Machines;

namespace Hypervisor.Tool.Commands
{
    /// <summary>
    /// hv-tool bench boot: image sizes and boot times (first (HV) line, emulator exit after power-off)
    /// over several boots. A benchmark prints figures: targets are shown beside them, never asserted.
    /// </summary>
    public static class BootBench
    {
        public const string Usage =
            "hv-tool bench boot [--runs N] [--json] [--uefi] [--timeout S] [--image-dir DIR]\n" +
            "  --runs N        boots per boot path (default 5)\n" +
            "  --json          print the results as JSON on stdout (progress goes to stderr)\n" +
            "  --uefi          also time the ISO under UEFI (OVMF)\n" +
            "  --timeout S     give up on one boot after S seconds (default 120)\n" +
            "  --image-dir DIR where the images are (default: out/ of the repository, or $HV_IMAGE_DIR)";

        private const double IsoTargetMiB = 2.0;
        private const double FirstLineTargetSeconds = 0.5;
        private static readonly Regex FirstHvLine = new Regex(@"^\(HV\) ", RegexOptions.CultureInvariant);

        private sealed class BootPath
        {
            public string Key;
            public string Label;
            public Func<ImageLocator, MachineOptions> Options;
            public readonly List<double> FirstLine = new List<double>();
            public readonly List<double> Exit = new List<double>();
            public readonly List<string> Failures = new List<string>();
        }

        public static int Run(Arguments args)
        {
            int runs = args.Int("--runs", 5, 1, 1000);
            bool json = args.Flag("--json");
            bool uefi = args.Flag("--uefi");
            double timeoutSeconds = args.Seconds("--timeout", 120);
            string imageDir = args.Value("--image-dir");
            args.ExpectNone();

            string root = ImageLocator.FindRepoRoot();
            if (root == null && imageDir == null)
            {
                Console.Error.WriteLine("hv-tool: cannot find the repository (Hypervisor.sln); run from inside it or pass --image-dir");
                return 2;
            }
            var images = new ImageLocator(root ?? Environment.CurrentDirectory, imageDir);
            if (!images.ImagesExist)
            {
                Console.Error.WriteLine($"hv-tool: images not found in {images.ImageDir} (build them with ./hv iso)");
                return 1;
            }

            var paths = new List<BootPath>
            {
                new BootPath
                {
                    Key = "kernel", Label = "-kernel ",
                    Options = im => new MachineOptions { Boot = BootKind.Kernel, KernelPath = im.Elf },
                },
                new BootPath
                {
                    Key = "iso-bios", Label = "ISO/BIOS",
                    Options = im => new MachineOptions { Boot = BootKind.Iso, IsoPath = im.Iso },
                },
            };
            if (uefi)
            {
                paths.Add(new BootPath
                {
                    Key = "iso-uefi", Label = "ISO/UEFI",
                    Options = im => new MachineOptions { Boot = BootKind.Iso, IsoPath = im.Iso, Firmware = Firmware.Uefi },
                });
            }

            TextWriter progress = json ? Console.Error : Console.Out;
            string qemuVersion = QemuMachine.Version();
            progress.WriteLine($"Benchmarking boot: {runs} run(s) per boot path, {qemuVersion}, TCG, images in {images.ImageDir}");
            var timeout = TimeSpan.FromSeconds(timeoutSeconds);
            for (int run = 1; run <= runs; run++)
            {
                foreach (BootPath path in paths)
                {
                    progress.Write($"  run {run}/{runs} {path.Label.Trim()}: ");
                    progress.Flush();
                    Measure(path, images, timeout, progress);
                }
            }
            progress.WriteLine();

            var sizes = new List<(string Name, long Bytes)>
            {
                ("hypervisor.iso", Size(images.Iso)),
                ("hypervisor.elf", Size(images.Elf)),
                ("hypervisor-syms.elf", Size(images.SymbolsElf)),
            };
            if (json)
                WriteJson(runs, qemuVersion, images, sizes, paths);
            else
                WriteTable(runs, sizes, paths);
            return paths.Any(p => p.Failures.Count > 0) ? 1 : 0;
        }

        private static void Measure(BootPath path, ImageLocator images, TimeSpan timeout, TextWriter progress)
        {
            try
            {
                using var machine = QemuMachine.Launch(path.Options(images));
                SerialLine first = machine.WaitForLine(FirstHvLine, timeout);
                bool exited = machine.WaitForExit(timeout - machine.Elapsed);
                if (first == null || !exited || !machine.PoweredOff)
                {
                    string why = first == null ? "no (HV) line" : !exited ? "did not exit in time" : "did not power off";
                    path.Failures.Add($"{why}\n{machine.Transcript()}");
                    progress.WriteLine($"FAILED ({why})");
                    return;
                }
                double t1 = first.Time.TotalSeconds;
                double t2 = machine.ExitTime.Value.TotalSeconds;
                path.FirstLine.Add(t1);
                path.Exit.Add(t2);
                progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"first (HV) line {t1:0.000} s, exit {t2:0.000} s"));
            }
            catch (Exception e) when (e is IOException || e is InvalidOperationException || e is ArgumentException)
            {
                path.Failures.Add(e.Message);
                progress.WriteLine($"FAILED ({e.Message})");
            }
        }

        private static long Size(string path) => File.Exists(path) ? new FileInfo(path).Length : -1;

        public static double Median(IReadOnlyList<double> xs)
        {
            if (xs.Count == 0)
                return double.NaN;
            var s = xs.OrderBy(x => x).ToArray();
            int m = s.Length / 2;
            return s.Length % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2;
        }

        private static string F(double seconds) =>
            double.IsNaN(seconds) ? "-" : seconds.ToString("0.000", CultureInfo.InvariantCulture);

        private static void WriteTable(int runs, List<(string Name, long Bytes)> sizes, List<BootPath> paths)
        {
            var inv = CultureInfo.InvariantCulture;
            var sb = new StringBuilder();
            sb.AppendLine("Image size                    bytes        MiB   target");
            foreach (var (name, bytes) in sizes)
            {
                string target = string.Empty;
                if (name == "hypervisor.iso" && bytes >= 0)
                    target = $"<= {IsoTargetMiB:0} MiB ({(bytes <= IsoTargetMiB * 1024 * 1024 ? "within" : "OVER")})";
                string b = bytes < 0 ? "missing" : bytes.ToString("N0", inv);
                string mb = bytes < 0 ? "-" : (bytes / 1048576.0).ToString("0.00", inv);
                sb.AppendLine(string.Format(inv, "  {0,-22} {1,12} {2,9}   {3}", name, b, mb, target).TrimEnd());
            }
            sb.AppendLine();
            sb.AppendLine($"Boot time, s from QEMU start ({runs} runs)   median      min      max   target");
            foreach (BootPath p in paths)
            {
                Row(sb, p.Label + "  first (HV) line", p.FirstLine, p.Key == "kernel"
                    ? $"<= {FirstLineTargetSeconds:0.0} s ({Within(Median(p.FirstLine), FirstLineTargetSeconds)}); real Xen 4.17 banner ~0.2 s"
                    : string.Empty);
                Row(sb, p.Label + "  exit after power-off", p.Exit, string.Empty);
            }
            foreach (BootPath p in paths)
            {
                foreach (string f in p.Failures)
                {
                    sb.AppendLine();
                    sb.AppendLine($"FAILED boot ({p.Label.Trim()}): {f}");
                }
            }
            Console.Write(sb.ToString());
        }

        private static string Within(double value, double target)
            => double.IsNaN(value) ? "no data" : value <= target ? "within" : "OVER";

        private static void Row(StringBuilder sb, string label, List<double> xs, string target)
        {
            string min = xs.Count == 0 ? "-" : F(xs.Min());
            string max = xs.Count == 0 ? "-" : F(xs.Max());
            sb.AppendLine(string.Format(CultureInfo.InvariantCulture, "  {0,-38} {1,8} {2,8} {3,8}   {4}",
                label, F(Median(xs)), min, max, target).TrimEnd());
        }

        private static void WriteJson(int runs, string qemuVersion, ImageLocator images,
            List<(string Name, long Bytes)> sizes, List<BootPath> paths)
        {
            using var stream = Console.OpenStandardOutput();
            using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                w.WriteStartObject();
                w.WriteString("emulator", qemuVersion);
                w.WriteNumber("runs", runs);
                w.WriteString("imageDir", images.ImageDir);
                w.WriteStartObject("sizes");
                foreach (var (name, bytes) in sizes)
                    w.WriteNumber(name, bytes);
                w.WriteEndObject();
                w.WriteStartObject("targets");
                w.WriteNumber("isoMaxBytes", (long)(IsoTargetMiB * 1024 * 1024));
                w.WriteNumber("kernelFirstLineMaxSeconds", FirstLineTargetSeconds);
                w.WriteNumber("xenBannerReferenceSeconds", 0.2);
                w.WriteEndObject();
                w.WriteStartObject("boots");
                foreach (BootPath p in paths)
                {
                    w.WriteStartObject(p.Key);
                    Stats(w, "firstHvLineSeconds", p.FirstLine);
                    Stats(w, "exitSeconds", p.Exit);
                    w.WriteNumber("failures", p.Failures.Count);
                    w.WriteEndObject();
                }
                w.WriteEndObject();
                w.WriteEndObject();
            }
            stream.WriteByte((byte)'\n');
        }

        private static void Stats(Utf8JsonWriter w, string name, List<double> xs)
        {
            w.WriteStartObject(name);
            if (xs.Count > 0)
            {
                w.WriteNumber("median", Math.Round(Median(xs), 4));
                w.WriteNumber("min", Math.Round(xs.Min(), 4));
                w.WriteNumber("max", Math.Round(xs.Max(), 4));
            }
            w.WriteStartArray("samples");
            foreach (double x in xs)
                w.WriteNumberValue(Math.Round(x, 4));
            w.WriteEndArray();
            w.WriteEndObject();
        }
    }
}
