using System.Text;

namespace Hypervisor.Core.Tests.Support
{
    public static class Ascii
    {
        public static byte[] Bytes(string s) => Encoding.ASCII.GetBytes(s);

        public static string Str(byte[] b) => b == null ? null : Encoding.ASCII.GetString(b);
    }
}
