using Hypervisor.Tool.Guests;
using Xunit;

namespace Hypervisor.Integration.Tests
{
    /// <summary>The lines that end a guest run early (no emulator needed): our hypervisor's last line
    /// after a panic ends the run at once instead of at the timeout.</summary>
    public sealed class HarnessEndLineTests
    {
        [Theory]
        [InlineData("(HV) System halted.", true)]
        [InlineData("(HV)   System halted.", true)]
        [InlineData("(d0) System halted.", false)]
        [InlineData("(HV) PANIC: vector 7 #NM", false)]
        public void PanicHaltLineIsRecognised(string line, bool ends) => Assert.Equal(ends, GuestOutput.HvHalted.IsMatch(line));
    }
}
