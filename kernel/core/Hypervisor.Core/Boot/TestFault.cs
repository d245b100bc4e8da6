namespace Hypervisor.Core.Boot
{
    /// <summary>A fault the hypervisor raises on purpose after setting up its traps
    /// (<c>test_fault=</c>), so integration tests can check the panic screen.</summary>
    public enum TestFault
    {
        None = 0,

        /// <summary>#UD: execute ud2.</summary>
        InvalidOpcode = 1,

        /// <summary>#PF: read an unmapped address.</summary>
        PageFault = 2,

        /// <summary>#GP: load a bad selector or touch a non-canonical address.</summary>
        GeneralProtection = 3,

        /// <summary>#DE: divide by zero.</summary>
        DivideError = 4,
    }
}
