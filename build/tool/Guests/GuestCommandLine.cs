using System;
using System.Collections.Generic;
using Hypervisor.Tool.Commands;

namespace Hypervisor.Tool.Guests
{
    /// <summary>
    /// Splits "[options] GUEST [guest args...]": the first word that is neither an option nor an option's
    /// value is the guest, and every word after it belongs to the guest's command line.
    /// </summary>
    public static class GuestCommandLine
    {
        public static (List<string> Options, string Guest, string GuestArguments) Split(IReadOnlyList<string> argv, ISet<string> optionsWithValue)
        {
            var options = new List<string>();
            int i = 0;
            for (; i < argv.Count; i++)
            {
                string a = argv[i];
                if (!a.StartsWith("--", StringComparison.Ordinal))
                    break;
                options.Add(a);
                if (optionsWithValue.Contains(a))
                {
                    if (i + 1 >= argv.Count)
                        throw new UsageException($"{a} needs a value");
                    options.Add(argv[++i]);
                }
            }
            if (i >= argv.Count)
                return (options, null, string.Empty);
            string guest = argv[i];
            string arguments = string.Join(" ", argv.Count > i + 1 ? argv.Skip(i + 1) : Array.Empty<string>());
            return (options, guest, arguments);
        }

        private static IEnumerable<string> Skip(this IReadOnlyList<string> list, int from)
        {
            for (int i = from; i < list.Count; i++)
                yield return list[i];
        }
    }
}
