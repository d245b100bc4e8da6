using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Xunit;

namespace Hypervisor.Abi.Tests
{
    /// <summary>Keeps the layout tables complete: every struct of the ABI has a size row and every one of
    /// its fields an offset row, so a new struct or field cannot slip in unchecked.</summary>
    public class LayoutCoverageTests
    {
        private static IEnumerable<object[]> Rows(string property) =>
            typeof(LayoutCoverageTests).Assembly.GetTypes()
                .Select(t => t.GetProperty(property, BindingFlags.Public | BindingFlags.Static))
                .Where(p => p != null)
                .SelectMany(p => (IEnumerable<object[]>)p.GetValue(null));

        private static IEnumerable<Type> AbiStructs() =>
            typeof(StartInfo).Assembly.GetTypes()
                .Where(t => t.IsValueType && !t.IsEnum && t.IsPublic && t.Namespace == "Hypervisor.Abi");

        [Fact]
        public void Every_struct_has_a_size_row()
        {
            var checkedTypes = Rows("Sizes").Select(r => (Type)r[1]).ToHashSet();
            var missing = AbiStructs().Where(t => !checkedTypes.Contains(t)).Select(t => t.Name).ToList();
            Assert.Empty(missing);
        }

        [Fact]
        public void Every_field_has_an_offset_row()
        {
            var checkedFields = Rows("Offsets").Select(r => ((Type)r[1]).Name + "." + (string)r[2]).ToHashSet();
            var missing = AbiStructs()
                .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Instance).Select(f => t.Name + "." + f.Name))
                .Where(name => !checkedFields.Contains(name))
                .ToList();
            Assert.Empty(missing);
        }
    }
}
