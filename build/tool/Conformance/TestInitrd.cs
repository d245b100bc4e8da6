using System;
using System.IO;
using System.Text;

namespace Hypervisor.Tool.Conformance
{
    /// <summary>
    /// The initrd every suite gets as its second boot module (unless its project asks for its own kernel,
    /// see <see cref="SuiteInitrd"/>), so that the start-of-day suite can check
    /// where the domain builder put it and that it arrived whole: the magic "HVTESTINITRD0001", the total
    /// length as a little-endian 64-bit number, then bytes (offset * 7) &amp; 0xFF up to the end.
    /// The length is deliberately not a multiple of the page size.
    /// </summary>
    public static class TestInitrd
    {
        public const string Magic = "HVTESTINITRD0001";
        public const int Length = 12345;

        public static byte[] Content()
        {
            var bytes = new byte[Length];
            for (int i = 0; i < Length; i++)
                bytes[i] = (byte)(i * 7);
            Encoding.ASCII.GetBytes(Magic).CopyTo(bytes, 0);
            BitConverter.GetBytes((ulong)Length).CopyTo(bytes, 16);
            return bytes;
        }

        /// <summary>Writes the file (if it differs) and returns its path.</summary>
        public static string Write(string directory)
        {
            Directory.CreateDirectory(directory);
            string path = Path.Combine(directory, "initrd.bin");
            byte[] content = Content();
            if (!File.Exists(path) || !File.ReadAllBytes(path).AsSpan().SequenceEqual(content))
                File.WriteAllBytes(path, content);
            return path;
        }
    }
}
