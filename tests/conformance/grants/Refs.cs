using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>The grant references the tests use (0-7 are reserved for the toolstack) and what each grants.</summary>
    internal static class Refs
    {
        /// <summary>P to dom0, writable.</summary>
        public const uint Writable = 8;
        /// <summary>P to dom0, GTF_readonly.</summary>
        public const uint ReadOnly = 9;
        /// <summary>P to domain 1.</summary>
        public const uint OtherDomain = 10;
        /// <summary>Nothing (flags 0).</summary>
        public const uint Invalid = 11;
        /// <summary>The top-level page table's frame to dom0, writable.</summary>
        public const uint PageTable = 12;
        /// <summary>P to dom0 with GTF_sub_page (a v2 flag).</summary>
        public const uint SubPage = 13;
        /// <summary>A frame dom0 does not own (the M2P's first) to dom0.</summary>
        public const uint Foreign = 14;
        /// <summary>Q to dom0, writable.</summary>
        public const uint WritableQ = 15;
        /// <summary>Q to dom0, GTF_readonly.</summary>
        public const uint ReadOnlyQ = 16;
        /// <summary>P to dom0 as GTF_accept_transfer (not a grant of access).</summary>
        public const uint AcceptTransfer = 17;
        /// <summary>P to dom0 with GTF_PCD|GTF_PWT.</summary>
        public const uint CacheAttributes = 18;
        /// <summary>The grant table's first frame to dom0.</summary>
        public const uint TableFrame = 19;
        /// <summary>Entries left pinned on purpose by the tests of lost mappings.</summary>
        public const uint LostByUpdate = 20;
        public const uint LostByMap = 21;
        /// <summary>Entries the swap and unmap_and_replace tests use.</summary>
        public const uint SwapA = 22;
        public const uint SwapB = 23;
        public const uint Replace = 24;

        /// <summary>Writes every entry the tests use (again: a failed test may have left one changed).</summary>
        public static void Publish()
        {
            GrantTables.Grant(Writable, Pages.Dom0, Pages.MfnP, false);
            GrantTables.Grant(ReadOnly, Pages.Dom0, Pages.MfnP, true);
            GrantTables.Grant(OtherDomain, 1, Pages.MfnP, false);
            GrantTables.SetEntry(Invalid, 0, 0, 0);
            GrantTables.Grant(PageTable, Pages.Dom0, Pages.L4Mfn, false);
            GrantTables.SetEntry(SubPage, (ushort)(GrantFlags.PermitAccess | GrantFlags.SubPage), Pages.Dom0, (uint)Pages.MfnP);
            GrantTables.Grant(Foreign, Pages.Dom0, Pages.ForeignMfn, false);
            GrantTables.Grant(WritableQ, Pages.Dom0, Pages.MfnQ, false);
            GrantTables.Grant(ReadOnlyQ, Pages.Dom0, Pages.MfnQ, true);
            GrantTables.SetEntry(AcceptTransfer, GrantFlags.AcceptTransfer, Pages.Dom0, (uint)Pages.MfnP);
        }
    }
}
