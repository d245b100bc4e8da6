using System;
using System.Collections.Generic;
using System.IO;

namespace Hypervisor.Tool.Conformance
{
    /// <summary>
    /// Intended divergences: tests that fail on Xen on purpose, each with the reason, listed in
    /// tests/conformance/divergences.txt as "suite/test  reason" (one per line, # starts a comment).
    /// A listed test's failure on Xen is reported as a divergence, not as a failure.
    /// </summary>
    public sealed class Divergences
    {
        private readonly Dictionary<string, string> reasons = new Dictionary<string, string>(StringComparer.Ordinal);

        public static Divergences Load(string path)
        {
            var d = new Divergences();
            if (path == null || !File.Exists(path))
                return d;
            foreach (string raw in File.ReadAllLines(path))
            {
                string line = raw.Trim();
                if (line.Length == 0 || line.StartsWith("#", StringComparison.Ordinal))
                    continue;
                int space = line.IndexOfAny(new[] { ' ', '\t' });
                string id = space < 0 ? line : line.Substring(0, space);
                string reason = space < 0 ? "(no reason given)" : line.Substring(space).Trim();
                d.reasons[id] = reason;
            }
            return d;
        }

        public int Count => reasons.Count;

        public bool TryGet(string testId, out string reason) => reasons.TryGetValue(testId, out reason);
    }
}
