using System;
using System.IO;
using System.Linq;
using System.Xml.Linq;

namespace Hypervisor.Tool.Conformance
{
    /// <summary>
    /// What a suite gets as dom0's initrd (its second boot module). By default the <see cref="TestInitrd"/>;
    /// a suite whose project sets <c>&lt;SuiteInitrd&gt;self&lt;/SuiteInitrd&gt;</c> gets its own kernel
    /// instead, so that, as dom0, it can build a second domain from the very same ELF (the domctl suite:
    /// the peer is that kernel with another command line). The property is read from the project file
    /// itself, without evaluating MSBuild.
    /// </summary>
    public static class SuiteInitrd
    {
        public const string Property = "SuiteInitrd";

        /// <summary>The value that asks for the suite's own kernel.</summary>
        public const string Self = "self";

        /// <summary>The property's value in the suite's project (null when it has none).</summary>
        public static string Read(string suiteDirectory)
        {
            string project = Directory.GetFiles(suiteDirectory, "*.csproj").OrderBy(p => p, StringComparer.Ordinal).FirstOrDefault();
            if (project == null)
                return null;
            XElement element = XDocument.Load(project).Descendants().FirstOrDefault(e => e.Name.LocalName == Property);
            string value = element?.Value.Trim();
            return string.IsNullOrEmpty(value) ? null : value;
        }

        /// <summary>The initrd of a suite: its own kernel <paramref name="suiteElf"/> when the project asks for
        /// it, else <paramref name="testInitrd"/>. Any other value is an error in the project.</summary>
        public static string Choose(string suiteDirectory, string suiteElf, string testInitrd)
        {
            string value = Read(suiteDirectory);
            if (value == null)
                return testInitrd;
            if (value == Self)
                return suiteElf;
            throw new InvalidDataException($"{suiteDirectory}: <{Property}> takes '{Self}' or nothing, not '{value}'");
        }
    }
}
