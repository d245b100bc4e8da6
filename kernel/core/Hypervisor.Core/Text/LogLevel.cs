namespace Hypervisor.Core.Text
{
    /// <summary>How important a line is; a writer drops lines above its configured level. The names
    /// follow Xen's <c>loglvl=</c> option. <see cref="None"/> is only meaningful as a configured
    /// level: it silences everything.</summary>
    public enum LogLevel
    {
        None = 0,
        Error = 1,
        Warning = 2,
        Info = 3,
        Debug = 4,
    }
}
