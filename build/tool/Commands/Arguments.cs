using System;
using System.Collections.Generic;
using System.Globalization;

namespace Hypervisor.Tool.Commands
{
    /// <summary>A small command-line reader: "--name value", "--flag", and the rest positional.</summary>
    public sealed class Arguments
    {
        private readonly List<string> args;

        public Arguments(IEnumerable<string> args)
        {
            this.args = new List<string>(args);
        }

        public int Count => args.Count;

        public bool Flag(string name)
        {
            int i = args.IndexOf(name);
            if (i < 0)
                return false;
            args.RemoveAt(i);
            return true;
        }

        public string Value(string name, string fallback = null)
        {
            int i = args.IndexOf(name);
            if (i < 0)
                return fallback;
            if (i + 1 >= args.Count)
                throw new UsageException($"{name} needs a value");
            string v = args[i + 1];
            args.RemoveRange(i, 2);
            return v;
        }

        public int Int(string name, int fallback, int min, int max)
        {
            string v = Value(name);
            if (v == null)
                return fallback;
            if (!int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) || n < min || n > max)
                throw new UsageException($"{name} needs a whole number from {min} to {max}, not '{v}'");
            return n;
        }

        public double Seconds(string name, double fallback)
        {
            string v = Value(name);
            if (v == null)
                return fallback;
            if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) || d <= 0)
                throw new UsageException($"{name} needs a positive number of seconds, not '{v}'");
            return d;
        }

        /// <summary>Everything after "--" (and removes it).</summary>
        public List<string> Rest()
        {
            int i = args.IndexOf("--");
            if (i < 0)
                return new List<string>();
            var rest = args.GetRange(i + 1, args.Count - i - 1);
            args.RemoveRange(i, args.Count - i);
            return rest;
        }

        public void ExpectNone()
        {
            if (args.Count > 0)
                throw new UsageException($"unknown argument '{args[0]}'");
        }
    }

    public sealed class UsageException : Exception
    {
        public UsageException(string message) : base(message)
        {
        }
    }
}
