namespace Hypervisor.Core.Acpi
{
    /// <summary>
    /// The CPUs the hypervisor runs on, chosen from the MADT's processor entries: the boot CPU first
    /// (it is running, whatever the table says), then every other enabled processor in table order, up
    /// to the limits (<c>maxcpus=</c> / <c>nosmp</c>, and how many the arch layer has room for).
    /// Processors whose APIC id the interrupt controller's mode cannot address are left out, as are ids
    /// listed twice (firmware may describe one CPU as both a local APIC and a local x2APIC entry).
    /// This only decides; the arch layer starts them.
    /// </summary>
    public sealed class CpuSelection
    {
        private CpuSelection(uint[] apicIds)
        {
            ApicIds = apicIds;
        }

        /// <summary>The chosen APIC ids, the boot CPU's at index 0; the first <see cref="Count"/> are valid.</summary>
        public uint[] ApicIds { get; }

        public int Count { get; private set; }

        /// <summary>Enabled processors not chosen because of the command line's limit.</summary>
        public int LeftOutByOption { get; private set; }

        /// <summary>Enabled processors not chosen because the arch layer has no room for them.</summary>
        public int LeftOutByCapacity { get; private set; }

        /// <summary>Enabled processors whose APIC id is above the highest addressable one.</summary>
        public int Unreachable { get; private set; }

        /// <summary>Entries repeating an APIC id already seen (counted once).</summary>
        public int Duplicates { get; private set; }

        /// <summary>True when the MADT lists the boot CPU's APIC id.</summary>
        public bool BootCpuListed { get; private set; }

        /// <summary>
        /// Chooses from <paramref name="processors"/> (<see cref="AcpiTables.Processors"/>).
        /// <paramref name="optionLimit"/>: at most this many CPUs in all (0: no limit);
        /// <paramref name="capacity"/>: the arch layer's maximum (at least 1);
        /// <paramref name="highestReachableId"/>: the highest APIC id an IPI can be sent to (254 in xAPIC mode).
        /// </summary>
        public static CpuSelection Choose(MadtProcessor[] processors, uint bootApicId, int optionLimit, int capacity, uint highestReachableId)
        {
            if (capacity < 1)
            {
                capacity = 1;
            }

            int limit = optionLimit > 0 && optionLimit < capacity ? optionLimit : capacity;
            int entries = processors == null ? 0 : processors.Length;
            uint[] chosen = new uint[entries < limit ? entries + 1 : limit];
            chosen[0] = bootApicId;
            CpuSelection selection = new CpuSelection(chosen);
            selection.Count = 1;
            for (int i = 0; i < entries; i++)
            {
                MadtProcessor processor = processors[i];
                if (processor.ApicId == bootApicId)
                {
                    if (selection.BootCpuListed)
                    {
                        selection.Duplicates++;
                    }

                    selection.BootCpuListed = true;
                    continue;
                }

                if (!processor.Enabled)
                {
                    continue;
                }

                if (SeenBefore(processors, i))
                {
                    selection.Duplicates++;
                    continue;
                }

                if (processor.ApicId > highestReachableId)
                {
                    selection.Unreachable++;
                }
                else if (selection.Count < limit)
                {
                    chosen[selection.Count++] = processor.ApicId;
                }
                else if (optionLimit > 0 && optionLimit < capacity)
                {
                    selection.LeftOutByOption++;
                }
                else
                {
                    selection.LeftOutByCapacity++;
                }
            }

            return selection;
        }

        // An enabled entry earlier in the table with the same APIC id.
        private static bool SeenBefore(MadtProcessor[] processors, int index)
        {
            for (int i = 0; i < index; i++)
            {
                if (processors[i].Enabled && processors[i].ApicId == processors[index].ApicId)
                {
                    return true;
                }
            }

            return false;
        }
    }
}
