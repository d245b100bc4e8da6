using System;
using System.IO;

namespace Hypervisor.Tool.Machines
{
    /// <summary>Finds the repository and the images the image build writes to out/.</summary>
    public sealed class ImageLocator
    {
        public const string SolutionFile = "Hypervisor.sln";

        /// <summary>Environment variable naming another directory holding the three images.</summary>
        public const string ImageDirVariable = "HV_IMAGE_DIR";

        public ImageLocator(string repoRoot, string imageDir = null)
        {
            RepoRoot = repoRoot;
            ImageDir = imageDir
                ?? NonEmpty(Environment.GetEnvironmentVariable(ImageDirVariable))
                ?? Path.Combine(repoRoot, "out");
        }

        public string RepoRoot { get; }
        public string ImageDir { get; }
        public string Iso => Path.Combine(ImageDir, "hypervisor.iso");
        public string Elf => Path.Combine(ImageDir, "hypervisor.elf");
        public string SymbolsElf => Path.Combine(ImageDir, "hypervisor-syms.elf");

        public bool ImagesExist => File.Exists(Iso) && File.Exists(Elf);

        /// <summary>Walks up from the start directories to the one holding Hypervisor.sln.</summary>
        public static string FindRepoRoot(params string[] startDirs)
        {
            foreach (string start in startDirs)
            {
                if (string.IsNullOrEmpty(start))
                    continue;
                var dir = new DirectoryInfo(Path.GetFullPath(start));
                while (dir != null)
                {
                    if (File.Exists(Path.Combine(dir.FullName, SolutionFile)))
                        return dir.FullName;
                    dir = dir.Parent;
                }
            }
            return null;
        }

        /// <summary>The repository of the current directory or, failing that, of this program.</summary>
        public static string FindRepoRoot()
            => FindRepoRoot(Environment.CurrentDirectory, AppContext.BaseDirectory);

        private static string NonEmpty(string s) => string.IsNullOrWhiteSpace(s) ? null : s;
    }
}
