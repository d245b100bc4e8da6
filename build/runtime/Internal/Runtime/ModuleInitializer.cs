using System;
using System.Runtime;

namespace Internal.Runtime
{
    // Boot-time work the compiler leaves to the runtime: materialise the objects that hold static
    // reference fields, then run the class constructors the compiler marked as eager.
    // ILC describes a module with a ReadyToRun header whose address sits in the `__modules` section.
    public static unsafe class ModuleInitializer
    {
        private const uint ReadyToRunSignature = 0x00525452; // "RTR"
        private const int GCStaticRegionSection = 201;
        private const int EagerCctorSection = 205;
        private const long Uninitialized = 0x1;
        private const long HasPreInitializedData = 0x2;
        private const long TagMask = 0x3;

        public static void InitializeModules(void** modulesStart, void** modulesEnd)
        {
            for (void** module = modulesStart; module < modulesEnd; module++)
            {
                if (*module != null)
                    InitializeStatics((byte*)*module);
            }
            for (void** module = modulesStart; module < modulesEnd; module++)
            {
                if (*module != null)
                    RunEagerConstructors((byte*)*module);
            }
        }

#pragma warning disable CS0649 // filled in by the compiler's image, read here
        private struct SectionEntry
        {
            public int Id;
            public int Flags;
            public byte* Start;
            public byte* End;
        }
#pragma warning restore CS0649

        private static bool FindSection(byte* header, int id, out byte* start, out byte* end)
        {
            start = null;
            end = null;
            if (*(uint*)header != ReadyToRunSignature)
                RuntimeFailure.FailFast("bad ReadyToRun header in __modules");
            ushort count = *(ushort*)(header + 12);
            byte entrySize = header[14];
            byte* entries = header + 16;
            for (int i = 0; i < count; i++)
            {
                SectionEntry* entry = (SectionEntry*)(entries + i * entrySize);
                if (entry->Id == id)
                {
                    start = entry->Start;
                    end = entry->End;
                    return true;
                }
            }
            return false;
        }

        private static void* FollowRelative(void* address) => (byte*)address + *(int*)address;

        private static void InitializeStatics(byte* header)
        {
            if (!FindSection(header, GCStaticRegionSection, out byte* start, out byte* end))
                return;
            // Each entry is a 32-bit relative pointer to a block; the block starts as a relative
            // pointer to the statics type, tagged; it ends as the reference to the statics object.
            for (byte* entry = start; entry < end; entry += sizeof(int))
            {
                long* block = (long*)FollowRelative(entry);
                long tagged = (long)FollowRelative(block);
                if ((tagged & Uninitialized) == 0)
                    continue;
                MethodTable* type = (MethodTable*)(tagged & ~TagMask);
                byte* obj = Allocation.AllocateObject(type, type->BaseSize);
                if ((tagged & HasPreInitializedData) != 0)
                {
                    byte* data = (byte*)FollowRelative((int*)block + 1);
                    ulong size = type->BaseSize - 16;
                    for (ulong i = 0; i < size; i++)
                        obj[8 + i] = data[i];
                }
                *block = (long)obj;
            }
        }

        private static void RunEagerConstructors(byte* header)
        {
            if (!FindSection(header, EagerCctorSection, out byte* start, out byte* end))
                return;
            for (byte* entry = start; entry < end; entry += sizeof(int))
                ((delegate*<void>)FollowRelative(entry))();
        }
    }
}
