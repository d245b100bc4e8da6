using System;
using System.Diagnostics;
using System.IO;
using System.Text;
using Hypervisor.Tool.Machines;
using Xunit;

namespace Hypervisor.Integration.Tests
{
    /// <summary>
    /// Finds the repository (the directory holding Hypervisor.sln) and the images in out/
    /// (or in $HV_IMAGE_DIR). When they are missing it runs ./hv iso once; if that fails, every test
    /// of the collection fails with the build's output.
    /// </summary>
    public sealed class ImageFixture
    {
        private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(20);

        public ImageFixture()
        {
            string root = ImageLocator.FindRepoRoot(AppContext.BaseDirectory, Environment.CurrentDirectory);
            if (root == null)
                throw new InvalidOperationException($"cannot find the repository: no {ImageLocator.SolutionFile} above {AppContext.BaseDirectory}");
            Images = new ImageLocator(root);
            if (!Images.ImagesExist)
                BuildImages(root);
            if (!Images.ImagesExist)
                throw new InvalidOperationException($"./hv iso succeeded but {Images.Iso} or {Images.Elf} is still missing");
        }

        public ImageLocator Images { get; }

        private void BuildImages(string root)
        {
            string hv = Path.Combine(root, "hv");
            if (!File.Exists(hv))
                throw new InvalidOperationException($"images missing in {Images.ImageDir} and {hv} not found to build them");
            var psi = new ProcessStartInfo(hv)
            {
                WorkingDirectory = root,
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
            };
            psi.ArgumentList.Add("iso");
            var output = new StringBuilder();
            using var p = new Process { StartInfo = psi };
            p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
            p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
            p.Start();
            p.StandardInput.Close();
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            if (!p.WaitForExit((int)BuildTimeout.TotalMilliseconds))
            {
                p.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"images missing in {Images.ImageDir}; ./hv iso did not finish within {BuildTimeout.TotalMinutes} min:\n{Tail(output)}");
            }
            p.WaitForExit();
            if (p.ExitCode != 0)
                throw new InvalidOperationException($"images missing in {Images.ImageDir}; ./hv iso failed with exit code {p.ExitCode}:\n{Tail(output)}");
        }

        private static string Tail(StringBuilder sb)
        {
            string s;
            lock (sb)
                s = sb.ToString();
            return s.Length > 6000 ? "..." + s.Substring(s.Length - 6000) : s;
        }
    }

    /// <summary>
    /// Every boot test belongs here: one collection runs its tests one after another, so that two
    /// emulators do not share the two cores and timings stay readable.
    /// </summary>
    [CollectionDefinition(Name, DisableParallelization = true)]
    public sealed class BootCollection : ICollectionFixture<ImageFixture>
    {
        public const string Name = "Boot";
    }
}
