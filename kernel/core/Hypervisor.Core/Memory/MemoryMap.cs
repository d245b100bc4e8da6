using System;
using Hypervisor.Core.Boot;
using Hypervisor.Core.Text;

namespace Hypervisor.Core.Memory
{
    /// <summary>
    /// The firmware memory map made trustworthy: regions sorted by base, no overlaps, no zero lengths,
    /// nothing wrapping past the top of the address space, adjacent regions of the same kind merged.
    /// Where regions of different kinds overlap, the one that must not be used wins (see
    /// <see cref="MemoryKinds.Priority"/>), so RAM is never handed out twice or on top of firmware data.
    /// </summary>
    public sealed class MemoryMap
    {
        /// <summary>Regions are clipped to end here: one page below 2^64, so that every region's end
        /// (<c>Base + Length</c>) is representable and page-aligned. No machine has RAM up there.</summary>
        public const ulong AddressLimit = 0xFFFF_FFFF_FFFF_F000;

        public const string ZeroLengthMessage = "Memory map: ignored a zero-length region at";
        public const string ClippedMessage = "Memory map: clipped a region running past the top of the address space, base and length";
        public const string UnrepresentableMessage = "Memory map: ignored a region above the top of the address space at";
        public const string OverlapMessage = "Memory map: regions of different kinds overlap, the non-usable kind wins over";

        private const int KindCount = 5;

        private readonly MemoryRegion[] regions;
        private readonly int count;
        private readonly ulong totalUsable;
        private readonly ulong usableEnd;

        private MemoryMap(MemoryRegion[] regions, int count)
        {
            this.regions = regions;
            this.count = count;
            for (int i = 0; i < count; i++)
            {
                if (regions[i].Kind == MemoryKind.Usable)
                {
                    totalUsable += regions[i].Length;
                    usableEnd = regions[i].End;
                }
            }
        }

        public int Count
        {
            get { return count; }
        }

        public MemoryRegion this[int index]
        {
            get { return regions[index]; }
        }

        public ulong TotalUsableBytes
        {
            get { return totalUsable; }
        }

        /// <summary>One past the last usable byte (the end of the highest usable region); 0 when there
        /// is no usable memory. Used to size the frame bitmap.</summary>
        public ulong HighestUsableAddress
        {
            get { return usableEnd; }
        }

        /// <summary>True when all of [base, base + length) is usable RAM. Zero-length and wrapping
        /// ranges are not.</summary>
        public bool IsUsable(ulong rangeBase, ulong length)
        {
            if (length == 0 || length - 1 > ulong.MaxValue - rangeBase)
            {
                return false;
            }

            ulong last = rangeBase + (length - 1);
            for (int i = 0; i < count; i++)
            {
                MemoryRegion region = regions[i];
                if (rangeBase >= region.Base && rangeBase < region.End)
                {
                    // Adjacent usable regions are merged, so one region must hold the whole range.
                    return region.Kind == MemoryKind.Usable && last < region.End;
                }
            }

            return false;
        }

        /// <summary>The kind of the region holding <paramref name="address"/>; false for a hole.</summary>
        public bool TryGetKind(ulong address, out MemoryKind kind)
        {
            for (int i = 0; i < count; i++)
            {
                if (address >= regions[i].Base && address < regions[i].End)
                {
                    kind = regions[i].Kind;
                    return true;
                }
            }

            kind = MemoryKind.Reserved;
            return false;
        }

        /// <summary>Prints the map, one region per line, as Xen prints the e820 map at boot:
        /// <c>(HV)  [0x...-0x...) usable 511 MiB</c>.</summary>
        public void WriteTo(LogWriter log, LogLevel level)
        {
            for (int i = 0; i < count; i++)
            {
                MemoryRegion region = regions[i];
                log.Begin(level).Text(" [").Hex(region.Base).Text("-").Hex(region.End).Text(") ")
                    .Text(MemoryKinds.Name(region.Kind)).Text(" ").Size(region.Length).End();
            }
        }

        public static string Describe(MemoryMapStatus status)
        {
            switch (status)
            {
                case MemoryMapStatus.Ok: return "memory map is usable";
                case MemoryMapStatus.Empty: return "the boot loader gave no memory map (or only empty regions)";
                case MemoryMapStatus.NoUsableMemory: return "the memory map has no usable RAM";
                default: return "unknown memory map status";
            }
        }

        /// <summary>
        /// Sanitises <paramref name="raw"/> (not modified). <paramref name="map"/> is always set, even
        /// on failure, so the caller can still print what was found. Problems with single regions become
        /// warnings; only an empty map or one without RAM is a failure.
        /// </summary>
        public static MemoryMapStatus Build(MemoryRegion[] raw, BootWarningList warnings, out MemoryMap map)
        {
            if (warnings == null)
            {
                warnings = new BootWarningList();
            }

            int rawCount = raw == null ? 0 : raw.Length;

            // Each region becomes a start event and an end event; the sweep below walks them in
            // address order keeping a count of how many regions of each kind cover the current point.
            ulong[] eventAddress = new ulong[rawCount * 2];
            int[] eventKind = new int[rawCount * 2];
            bool[] eventIsStart = new bool[rawCount * 2];
            int events = 0;

            for (int i = 0; i < rawCount; i++)
            {
                MemoryRegion region = raw[i];
                if (region.Length == 0)
                {
                    warnings.Add(ZeroLengthMessage, region.Base);
                    continue;
                }

                if (region.Base >= AddressLimit)
                {
                    warnings.Add(UnrepresentableMessage, region.Base);
                    continue;
                }

                ulong end;
                if (region.Length > AddressLimit - region.Base)
                {
                    warnings.Add(ClippedMessage, region.Base, region.Length);
                    end = AddressLimit;
                }
                else
                {
                    end = region.Base + region.Length;
                }

                int kind = MemoryKinds.Priority(region.Kind);
                eventAddress[events] = region.Base;
                eventKind[events] = kind;
                eventIsStart[events] = true;
                events++;
                eventAddress[events] = end;
                eventKind[events] = kind;
                eventIsStart[events] = false;
                events++;
            }

            SortEvents(eventAddress, eventKind, eventIsStart, events);

            // At most one output region per gap between distinct event addresses.
            MemoryRegion[] output = new MemoryRegion[events > 0 ? events : 1];
            int outputCount = 0;
            int[] active = new int[KindCount];
            bool overlapOpen = false;
            ulong overlapStart = 0;
            ulong overlapEnd = 0;
            ulong previous = 0;

            int e = 0;
            while (e < events)
            {
                ulong here = eventAddress[e];
                if (here > previous)
                {
                    int top = -1;
                    int distinctKinds = 0;
                    for (int k = 0; k < KindCount; k++)
                    {
                        if (active[k] > 0)
                        {
                            top = k;
                            distinctKinds++;
                        }
                    }

                    if (top >= 0)
                    {
                        outputCount = Append(output, outputCount, previous, here, KindFromPriority(top));
                    }

                    if (distinctKinds > 1)
                    {
                        if (overlapOpen && overlapEnd == previous)
                        {
                            overlapEnd = here;
                        }
                        else
                        {
                            if (overlapOpen)
                            {
                                warnings.AddRange(OverlapMessage, overlapStart, overlapEnd);
                            }

                            overlapOpen = true;
                            overlapStart = previous;
                            overlapEnd = here;
                        }
                    }
                }

                while (e < events && eventAddress[e] == here)
                {
                    active[eventKind[e]] += eventIsStart[e] ? 1 : -1;
                    e++;
                }

                previous = here;
            }

            if (overlapOpen)
            {
                warnings.AddRange(OverlapMessage, overlapStart, overlapEnd);
            }

            map = new MemoryMap(output, outputCount);
            if (outputCount == 0)
            {
                return MemoryMapStatus.Empty;
            }

            if (map.TotalUsableBytes == 0)
            {
                return MemoryMapStatus.NoUsableMemory;
            }

            return MemoryMapStatus.Ok;
        }

        private static int Append(MemoryRegion[] output, int outputCount, ulong start, ulong end, MemoryKind kind)
        {
            if (outputCount > 0)
            {
                MemoryRegion last = output[outputCount - 1];
                if (last.Kind == kind && last.End == start)
                {
                    output[outputCount - 1].Length = end - last.Base;
                    return outputCount;
                }
            }

            output[outputCount] = new MemoryRegion(start, end - start, kind);
            return outputCount + 1;
        }

        private static MemoryKind KindFromPriority(int priority)
        {
            switch (priority)
            {
                case 0: return MemoryKind.Usable;
                case 1: return MemoryKind.AcpiReclaimable;
                case 2: return MemoryKind.Reserved;
                case 3: return MemoryKind.AcpiNvs;
                default: return MemoryKind.BadMemory;
            }
        }

        // Insertion sort: firmware maps have tens of entries, and this needs no allocation or library.
        private static void SortEvents(ulong[] address, int[] kind, bool[] isStart, int length)
        {
            for (int i = 1; i < length; i++)
            {
                ulong a = address[i];
                int k = kind[i];
                bool s = isStart[i];
                int j = i - 1;
                while (j >= 0 && address[j] > a)
                {
                    address[j + 1] = address[j];
                    kind[j + 1] = kind[j];
                    isStart[j + 1] = isStart[j];
                    j--;
                }

                address[j + 1] = a;
                kind[j + 1] = k;
                isStart[j + 1] = s;
            }
        }
    }
}
