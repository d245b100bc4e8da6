using System;
using Hypervisor.Abi.Tests.Support;
using Xunit;

namespace Hypervisor.Abi.Tests
{
    /// <summary>Structures of io/ring.h and io/console.h.</summary>
    public class IoLayoutTests
    {
        public static TheoryData<string, Type, int> Sizes => new()
        {
            { "NAME_sring header (up to ring[0])", typeof(SharedRingHeader), 64 },
            { "xencons_interface", typeof(ConsoleInterface), 3088 },
        };

        public static TheoryData<string, Type, string, int> Offsets => new()
        {
            { "sring.req_prod", typeof(SharedRingHeader), nameof(SharedRingHeader.ReqProd), 0 },
            { "sring.req_event", typeof(SharedRingHeader), nameof(SharedRingHeader.ReqEvent), 4 },
            { "sring.rsp_prod", typeof(SharedRingHeader), nameof(SharedRingHeader.RspProd), 8 },
            { "sring.rsp_event", typeof(SharedRingHeader), nameof(SharedRingHeader.RspEvent), 12 },
            { "sring.pvt", typeof(SharedRingHeader), nameof(SharedRingHeader.Pvt), 16 },
            { "sring.__pad", typeof(SharedRingHeader), nameof(SharedRingHeader.Pad), 20 },

            { "xencons_interface.in", typeof(ConsoleInterface), nameof(ConsoleInterface.In), 0 },
            { "xencons_interface.out", typeof(ConsoleInterface), nameof(ConsoleInterface.Out), 1024 },
            { "xencons_interface.in_cons", typeof(ConsoleInterface), nameof(ConsoleInterface.InCons), 3072 },
            { "xencons_interface.in_prod", typeof(ConsoleInterface), nameof(ConsoleInterface.InProd), 3076 },
            { "xencons_interface.out_cons", typeof(ConsoleInterface), nameof(ConsoleInterface.OutCons), 3080 },
            { "xencons_interface.out_prod", typeof(ConsoleInterface), nameof(ConsoleInterface.OutProd), 3084 },
        };

        [Theory]
        [MemberData(nameof(Sizes))]
        public void Size_matches_xen(string xenStruct, Type type, int xenSize)
        {
            _ = xenStruct;
            Layout.AssertSize(type, xenSize);
        }

        [Theory]
        [MemberData(nameof(Offsets))]
        public void Offset_matches_xen(string xenField, Type type, string field, int xenOffset)
        {
            _ = xenField;
            Layout.AssertOffset(type, field, xenOffset);
        }
    }
}
