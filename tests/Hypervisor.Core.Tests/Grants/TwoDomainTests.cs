using Hypervisor.Abi;
using Hypervisor.Core.Domains;
using Hypervisor.Core.Memory;
using Xunit;

namespace Hypervisor.Core.Tests.Grants
{
    /// <summary>Grants between two domains on one host: dom0 and an unprivileged domain 1.</summary>
    public class TwoDomainTests
    {
        [Fact]
        public void ADomainMapsAnothersGrantAndTheGranterSeesItInUse()
        {
            var k = new GrantKit();
            Domain d1 = k.AddDomain(1);
            ulong frame = k.FreeFrame(d1, 0);
            k.Ram.Write64(frame << 12, 0xD1D1);
            ulong window = k.Window(k.Dom0, 0);
            k.Grant(d1, 8, 0, frame);
            var before = k.Snapshot();

            uint handle = k.MapOk(k.Dom0, window, GrantMapFlags.HostMap, 1, 8);
            Assert.Equal(0xD1D1UL, k.Read<ulong>(k.Dom0, window));
            Assert.Equal(GrantFlags.PermitAccess | GrantFlags.Reading | GrantFlags.Writing, k.FlagsOf(d1, 8));
            // The mapping's references are on domain 1's frame; it stays domain 1's.
            Assert.Equal(1u, k.Frames.ReferencesOf(frame));
            Assert.Equal(1u, k.Frames.TypeCountOf(frame));
            Assert.Equal(d1.Id, k.Frames.OwnerOf(frame));
            // Domain 1 cannot make it a page table while dom0 maps it writable.
            Assert.NotEqual(0, k.Frames.Pin(d1.Id, frame, 1));

            Assert.Equal(GrantStatus.Okay, k.Unmap(k.Dom0, window, 0, handle));
            Assert.Equal(GrantFlags.PermitAccess, k.FlagsOf(d1, 8));
            k.AssertSameAs(before);
        }

        [Fact]
        public void OnlyTheGranteeMayUseAGrant()
        {
            var k = new GrantKit();
            Domain d1 = k.AddDomain(1);
            ulong frame = k.FreeFrame(k.Dom0, 0);
            k.Grant(k.Dom0, 8, 1, frame);
            // Dom0 itself is not the grantee of its grant to domain 1.
            Assert.Equal(0, k.Map(k.Dom0, 0, GrantMapFlags.DeviceMap, 0, 8, out GnttabMapGrantRef op));
            Assert.Equal(GrantStatus.GeneralError, op.Status);

            uint handle = k.MapOk(d1, 0, GrantMapFlags.DeviceMap | GrantMapFlags.ReadOnly, 0, 8);
            // Pinned for domain 1: another grantee is refused even after the entry is rewritten for it.
            k.Ram.Write16(k.EntryAddress(k.Dom0, 8) + 2, 0);
            Assert.Equal(0, k.Map(k.Dom0, 0, GrantMapFlags.DeviceMap | GrantMapFlags.ReadOnly, 0, 8, out op));
            Assert.Equal(GrantStatus.GeneralError, op.Status);
            Assert.Equal(GrantStatus.Okay, k.Unmap(d1, 0, frame << 12, handle));
        }

        [Fact]
        public void CopiesAcrossDomainsGoThroughGrantsOnly()
        {
            var k = new GrantKit();
            Domain d1 = k.AddDomain(1);
            ulong mine = k.FreeFrame(d1, 0), theirs = k.FreeFrame(k.Dom0, 0);
            k.Ram.Write64(theirs << 12, 0x0D0D);
            k.Grant(k.Dom0, 8, 1, theirs, GrantFlags.PermitAccess | GrantFlags.ReadOnly);
            var copy = new GnttabCopy
            {
                Source = new GnttabCopyPtr { Ref = 8, DomId = 0 },
                Dest = new GnttabCopyPtr { Gmfn = mine, DomId = DomainId.Self },
                Len = 8,
                Flags = GrantCopyFlags.SourceGref,
            };
            Assert.Equal(GrantStatus.Okay, k.Copy(d1, copy));
            Assert.Equal(0x0D0DUL, k.Ram.Read64(mine << 12));

            // Dom0's frame by number: a gmfn names the caller's own memory only.
            copy.Flags = 0;
            copy.Source.Gmfn = theirs;
            copy.Source.DomId = DomainId.Self;
            Assert.Equal(GrantStatus.BadPage, k.Copy(d1, copy));
            copy.Source.DomId = 0;
            Assert.Equal(GrantStatus.PermissionDenied, k.Copy(d1, copy));
            // Writing back through the read-only grant is refused.
            var back = new GnttabCopy
            {
                Source = new GnttabCopyPtr { Gmfn = mine, DomId = DomainId.Self },
                Dest = new GnttabCopyPtr { Ref = 8, DomId = 0 },
                Len = 8,
                Flags = GrantCopyFlags.DestGref,
            };
            Assert.Equal(GrantStatus.GeneralError, k.Copy(d1, back));
        }

        [Fact]
        public void AnUnprivilegedDomainMayAskAboutItselfOnly()
        {
            var k = new GrantKit();
            Domain d1 = k.AddDomain(1);
            ulong at = k.Args(d1);
            k.Write(d1, at, new GnttabQuerySize { Dom = 0 });
            Assert.Equal(0, k.Op(d1, GrantTableOp.QuerySize, at, 1));
            Assert.Equal(GrantStatus.PermissionDenied, k.Read<GnttabQuerySize>(d1, at).Status);
            k.Write(d1, at, new GnttabSetupTable { Dom = 0, NrFrames = 1, FrameList = k.Args(d1, 1) });
            Assert.Equal(0, k.Op(d1, GrantTableOp.SetupTable, at, 1));
            Assert.Equal(GrantStatus.PermissionDenied, k.Read<GnttabSetupTable>(d1, at).Status);
            Assert.Equal(1u, k.Dom0.Grants.FrameCount);         // not grown
            k.Write(d1, at, new GnttabGetVersion { Dom = 0 });
            Assert.Equal(-XenErrno.EPERM, k.Op(d1, GrantTableOp.GetVersion, at, 1));
            k.Write(d1, at, new GnttabQuerySize { Dom = 1 });
            Assert.Equal(0, k.Op(d1, GrantTableOp.QuerySize, at, 1));
            Assert.Equal(GrantStatus.Okay, k.Read<GnttabQuerySize>(d1, at).Status);

            // Dom0 may ask about domain 1 and grow its table.
            k.Write(k.Dom0, k.Args(k.Dom0), new GnttabSetupTable { Dom = 1, NrFrames = 2, FrameList = k.Args(k.Dom0, 1) });
            Assert.Equal(0, k.Op(k.Dom0, GrantTableOp.SetupTable, k.Args(k.Dom0), 1));
            Assert.Equal(GrantStatus.Okay, k.Read<GnttabSetupTable>(k.Dom0, k.Args(k.Dom0)).Status);
            Assert.Equal(2u, d1.Grants.FrameCount);
            Assert.Equal(d1.Id, k.Frames.OwnerOf(d1.Grants.FrameAt(1)));
        }

        [Fact]
        public void AGranterFrameHeldByAForeignMappingCannotBeReleased()
        {
            var k = new GrantKit();
            Domain d1 = k.AddDomain(1);
            ulong frame = k.FreeFrame(d1, 0);
            ulong window = k.Window(k.Dom0, 0);
            k.Grant(d1, 8, 0, frame);
            uint handle = k.MapOk(k.Dom0, window, GrantMapFlags.HostMap | GrantMapFlags.ReadOnly, 1, 8);
            Assert.Equal(-XenErrno.EBUSY, k.Frames.Release(frame));
            Assert.Equal(GrantStatus.Okay, k.Unmap(k.Dom0, window, 0, handle));
            Assert.Equal(0u, k.Frames.ReferencesOf(frame));
        }
    }
}
