using Hypervisor.Abi;

namespace Hypervisor.Core.DomainBuilding
{
    /// <summary>Parses XEN_ELFNOTE_FEATURES: names separated by '|', a leading '!' marking a feature
    /// the kernel cannot run without. Unknown names are ignored, except that an unknown required
    /// feature counts as unsupported (bit 31), since nothing here can offer it.</summary>
    public static class XenFeatureString
    {
        public const int UnknownRequiredBit = 31;

        public static void Parse(byte[] text, ref uint supported, ref uint required)
        {
            int start = 0;
            while (start <= text.Length)
            {
                int end = start;
                while (end < text.Length && text[end] != (byte)ElfNoteStrings.FeatureSeparator)
                    end++;
                bool mandatory = end > start && text[start] == (byte)ElfNoteStrings.FeatureRequiredPrefix;
                int nameStart = mandatory ? start + 1 : start;
                int bit = BitOf(new System.ReadOnlySpan<byte>(text, nameStart, end - nameStart));
                if (bit >= 0)
                {
                    supported |= 1u << bit;
                    if (mandatory)
                        required |= 1u << bit;
                }
                else if (mandatory)
                {
                    required |= 1u << UnknownRequiredBit;
                }
                start = end + 1;
            }
        }

        private static int BitOf(System.ReadOnlySpan<byte> name)
        {
            if (Text.AsciiBytes.Matches(name, ElfNoteStrings.WritablePageTables)) return XenFeature.WritablePageTables;
            if (Text.AsciiBytes.Matches(name, ElfNoteStrings.WritableDescriptorTables)) return XenFeature.WritableDescriptorTables;
            if (Text.AsciiBytes.Matches(name, ElfNoteStrings.AutoTranslatedPhysmap)) return XenFeature.AutoTranslatedPhysmap;
            if (Text.AsciiBytes.Matches(name, ElfNoteStrings.SupervisorModeKernel)) return XenFeature.SupervisorModeKernel;
            if (Text.AsciiBytes.Matches(name, ElfNoteStrings.PaePgdirAbove4gb)) return XenFeature.PaePgdirAbove4gb;
            if (Text.AsciiBytes.Matches(name, ElfNoteStrings.HvmCallbackVector)) return XenFeature.HvmCallbackVector;
            if (Text.AsciiBytes.Matches(name, ElfNoteStrings.Dom0)) return XenFeature.Dom0;
            return -1;
        }
    }
}
