using Hypervisor.Abi;
using Xunit;
using static Hypervisor.Core.Tests.Grants.GrantKit;

namespace Hypervisor.Core.Tests.Grants
{
    /// <summary>GNTTABOP_copy: frames and grants as either end, and Xen 4.17's order of refusals.</summary>
    public class GrantCopyTests
    {
        private static GnttabCopy FromGrant(uint reference, ushort dom, ulong dest, ushort length, ushort sourceOffset = 0) => new GnttabCopy
        {
            Source = new GnttabCopyPtr { Ref = reference, DomId = dom, Offset = sourceOffset },
            Dest = new GnttabCopyPtr { Gmfn = dest, DomId = DomainId.Self },
            Len = length,
            Flags = GrantCopyFlags.SourceGref,
        };

        private static GnttabCopy ToGrant(ulong source, uint reference, ushort dom, ushort length) => new GnttabCopy
        {
            Source = new GnttabCopyPtr { Gmfn = source, DomId = DomainId.Self },
            Dest = new GnttabCopyPtr { Ref = reference, DomId = dom },
            Len = length,
            Flags = GrantCopyFlags.DestGref,
        };

        [Fact]
        public void CopiesBetweenOwnFrames()
        {
            var k = new GrantKit();
            ulong p = k.FreeFrame(k.Dom0, 0), r = k.FreeFrame(k.Dom0, 1);
            k.Ram.Write64((p << 12) + 4000, 0x1122334455667788);
            var before = k.Snapshot();
            Assert.Equal(GrantStatus.Okay, k.Copy(k.Dom0, Frames2Frames(p, r, 8, 4000, 16)));
            Assert.Equal(0x1122334455667788UL, k.Ram.Read64((r << 12) + 16));
            Assert.Equal(0UL, k.Ram.Read64((r << 12) + 8));
            Assert.Equal(GrantStatus.Okay, k.Copy(k.Dom0, Frames2Frames(p, r, 0)));
            Assert.Equal(GrantStatus.Okay, k.Copy(k.Dom0, Frames2Frames(p, r, 4096)));
            k.AssertSameAs(before);
        }

        [Fact]
        public void CopiesThroughGrantsAndLeavesTheFlagsAsTheyWere()
        {
            var k = new GrantKit();
            ulong p = k.FreeFrame(k.Dom0, 0), q = k.FreeFrame(k.Dom0, 1), r = k.FreeFrame(k.Dom0, 2);
            k.Ram.Write64(p << 12, 0xAA);
            k.Grant(k.Dom0, 8, 0, p);
            k.Grant(k.Dom0, 9, 0, q);
            k.Grant(k.Dom0, 10, 0, p, GrantFlags.PermitAccess | GrantFlags.ReadOnly | GrantFlags.SubPage);
            var before = k.Snapshot();

            Assert.Equal(GrantStatus.Okay, k.Copy(k.Dom0, FromGrant(8, DomainId.Self, r, 8)));
            Assert.Equal(0xAAUL, k.Ram.Read64(r << 12));
            Assert.Equal(GrantStatus.Okay, k.Copy(k.Dom0, FromGrant(8, 0, r, 8)));
            Assert.Equal(GrantStatus.Okay, k.Copy(k.Dom0, FromGrant(10, 0, r, 8)));      // read-only, sub-page flag: fine for a v1 copy
            Assert.Equal(GrantStatus.Okay, k.Copy(k.Dom0, ToGrant(r, 9, 0, 8)));
            Assert.Equal(0xAAUL, k.Ram.Read64(q << 12));
            Assert.Equal(GrantFlags.PermitAccess, k.FlagsOf(k.Dom0, 8));
            Assert.Equal(GrantFlags.PermitAccess, k.FlagsOf(k.Dom0, 9));
            Assert.Equal(GrantFlags.PermitAccess | GrantFlags.ReadOnly | GrantFlags.SubPage, k.FlagsOf(k.Dom0, 10));
            k.AssertSameAs(before);
        }

        [Fact]
        public void ACopyFromAMappedGrantKeepsItsPin()
        {
            var k = new GrantKit();
            ulong p = k.FreeFrame(k.Dom0, 0), r = k.FreeFrame(k.Dom0, 1);
            k.Grant(k.Dom0, 8, 0, p);
            uint handle = k.MapOk(k.Dom0, 0, GrantMapFlags.DeviceMap | GrantMapFlags.ReadOnly, 0, 8);
            Assert.Equal(GrantStatus.Okay, k.Copy(k.Dom0, FromGrant(8, 0, r, 8)));
            Assert.Equal(GrantStatus.Okay, k.Copy(k.Dom0, ToGrant(r, 8, 0, 8)));
            Assert.Equal(GrantFlags.PermitAccess | GrantFlags.Reading, k.FlagsOf(k.Dom0, 8));
            Assert.Equal(GrantStatus.Okay, k.Unmap(k.Dom0, 0, p << 12, handle));
        }

        [Fact]
        public void RefusalsInXensOrder()
        {
            var k = new GrantKit();
            ulong p = k.FreeFrame(k.Dom0, 0), r = k.FreeFrame(k.Dom0, 1);
            ulong xen = k.Host.MachineToPhys.BaseAddress >> 12;
            ulong table = k.V0.KernelTableFrame;
            k.Grant(k.Dom0, 8, 0, p);
            k.Grant(k.Dom0, 9, 0, p, GrantFlags.PermitAccess | GrantFlags.ReadOnly);
            k.Grant(k.Dom0, 10, 1, p);
            k.Grant(k.Dom0, 11, 0, xen);
            k.Grant(k.Dom0, 12, 0, table);
            k.Ram.Write64(r << 12, 0x77);
            var before = k.Snapshot();

            // Bounds come last: after every frame is found.
            Assert.Equal(GrantStatus.BadCopyArg, k.Copy(k.Dom0, Frames2Frames(p, r, 97, 4000)));
            Assert.Equal(GrantStatus.BadCopyArg, k.Copy(k.Dom0, Frames2Frames(p, r, 2, 0, 4095)));
            Assert.Equal(GrantStatus.BadCopyArg, k.Copy(k.Dom0, Frames2Frames(p, r, 4097)));
            Assert.Equal(GrantStatus.BadCopyArg, k.Copy(k.Dom0, FromGrant(8, 0, r, 2, 4095)));
            Assert.Equal(GrantStatus.BadPage, k.Copy(k.Dom0, Frames2Frames(xen, r, 8, 4095)));

            GnttabCopy named = Frames2Frames(p, r, 8);
            named.Source.DomId = 0;
            Assert.Equal(GrantStatus.PermissionDenied, k.Copy(k.Dom0, named));
            named.Source.DomId = 7;
            Assert.Equal(GrantStatus.BadDomain, k.Copy(k.Dom0, named));
            named = Frames2Frames(p, r, 8);
            named.Dest.DomId = 7;
            Assert.Equal(GrantStatus.BadDomain, k.Copy(k.Dom0, named));

            Assert.Equal(GrantStatus.BadPage, k.Copy(k.Dom0, Frames2Frames(xen, r, 8)));
            Assert.Equal(GrantStatus.BadPage, k.Copy(k.Dom0, Frames2Frames(p, xen, 8)));
            Assert.Equal(GrantStatus.BadPage, k.Copy(k.Dom0, Frames2Frames(0xFFFFFFF, r, 8)));
            Assert.Equal(GrantStatus.GeneralError, k.Copy(k.Dom0, Frames2Frames(p, table, 8)));
            Assert.Equal(GrantStatus.Okay, k.Copy(k.Dom0, Frames2Frames(table, k.FreeFrame(k.Dom0, 2), 8)));
            Assert.Equal(GrantStatus.BadDomain, k.Copy(k.Dom0, FromGrant(8, 7, r, 8)));
            Assert.Equal(GrantStatus.BadGntref, k.Copy(k.Dom0, FromGrant(512, 0, r, 8)));
            Assert.Equal(GrantStatus.GeneralError, k.Copy(k.Dom0, FromGrant(10, 0, r, 8)));
            Assert.Equal(GrantStatus.GeneralError, k.Copy(k.Dom0, FromGrant(13, 0, r, 8)));
            Assert.Equal(GrantStatus.BadPage, k.Copy(k.Dom0, FromGrant(11, 0, r, 8)));
            Assert.Equal(GrantStatus.GeneralError, k.Copy(k.Dom0, ToGrant(p, 9, 0, 8)));
            Assert.Equal(GrantStatus.GeneralError, k.Copy(k.Dom0, ToGrant(p, 12, 0, 8)));
            for (uint reference = 8; reference <= 12; reference++)
                Assert.Equal(0, k.FlagsOf(k.Dom0, reference) & (GrantFlags.Reading | GrantFlags.Writing));
            Assert.Equal(0x77UL, k.Ram.Read64(r << 12));
            k.AssertSameAs(before);
        }

        [Fact]
        public void ABatchWritesEachStatusAndOnlyTheStatus()
        {
            var k = new GrantKit();
            ulong p = k.FreeFrame(k.Dom0, 0), r = k.FreeFrame(k.Dom0, 1);
            ulong at = k.Args(k.Dom0);
            k.Write(k.Dom0, at, Frames2Frames(p, r, 8));
            k.Write(k.Dom0, at + 40, Frames2Frames(p, r, 8, 4095));
            Assert.Equal(0, k.Op(k.Dom0, GrantTableOp.Copy, at, 2));
            Assert.Equal(GrantStatus.Okay, k.Read<GnttabCopy>(k.Dom0, at).Status);
            var second = k.Read<GnttabCopy>(k.Dom0, at + 40);
            Assert.Equal(GrantStatus.BadCopyArg, second.Status);
            Assert.Equal((ushort)4095, second.Source.Offset);
            Assert.Equal(p, second.Source.Gmfn);
        }
    }
}
