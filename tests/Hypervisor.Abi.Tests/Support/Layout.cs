using System;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Xunit;

namespace Hypervisor.Abi.Tests.Support
{
    /// <summary>Size and offset checks shared by the per-header layout tests. Both the managed size
    /// (what pointer arithmetic and arrays use) and the marshalled size must match Xen's.</summary>
    internal static class Layout
    {
        public static int ManagedSize(Type type) =>
            (int)typeof(Unsafe).GetMethod(nameof(Unsafe.SizeOf), BindingFlags.Public | BindingFlags.Static)
                .MakeGenericMethod(type).Invoke(null, null);

        public static void AssertSize(Type type, int xenSize)
        {
            Assert.Equal(xenSize, ManagedSize(type));
            Assert.Equal(xenSize, Marshal.SizeOf(type));
        }

        public static void AssertOffset(Type type, string field, int xenOffset) =>
            Assert.Equal(xenOffset, (int)Marshal.OffsetOf(type, field));
    }
}
