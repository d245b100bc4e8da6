using System;
using Hypervisor.Abi.Tests.Support;
using Xunit;

namespace Hypervisor.Abi.Tests
{
    /// <summary>Structures of callback.h and vcpu.h.</summary>
    public class CallbackAndVcpuLayoutTests
    {
        public static TheoryData<string, Type, int> Sizes => new()
        {
            { "callback_register", typeof(CallbackRegister), 16 },
            { "callback_unregister", typeof(CallbackUnregister), 4 },
            { "vcpu_runstate_info", typeof(VcpuRunstateInfo), 48 },
            { "vcpu_register_runstate_memory_area", typeof(VcpuRegisterRunstateMemoryArea), 8 },
            { "vcpu_set_periodic_timer", typeof(VcpuSetPeriodicTimer), 8 },
            { "vcpu_set_singleshot_timer", typeof(VcpuSetSingleshotTimer), 16 },
            { "vcpu_register_vcpu_info", typeof(VcpuRegisterVcpuInfo), 16 },
            { "vcpu_get_physid", typeof(VcpuGetPhysid), 8 },
            { "vcpu_register_time_memory_area", typeof(VcpuRegisterTimeMemoryArea), 8 },
        };

        public static TheoryData<string, Type, string, int> Offsets => new()
        {
            { "callback_register.type", typeof(CallbackRegister), nameof(CallbackRegister.Type), 0 },
            { "callback_register.flags", typeof(CallbackRegister), nameof(CallbackRegister.Flags), 2 },
            { "callback_register.address", typeof(CallbackRegister), nameof(CallbackRegister.Address), 8 },
            { "callback_unregister.type", typeof(CallbackUnregister), nameof(CallbackUnregister.Type), 0 },
            { "callback_unregister._unused", typeof(CallbackUnregister), nameof(CallbackUnregister.Unused), 2 },

            { "vcpu_runstate_info.state", typeof(VcpuRunstateInfo), nameof(VcpuRunstateInfo.State), 0 },
            { "vcpu_runstate_info.state_entry_time", typeof(VcpuRunstateInfo), nameof(VcpuRunstateInfo.StateEntryTime), 8 },
            { "vcpu_runstate_info.time", typeof(VcpuRunstateInfo), nameof(VcpuRunstateInfo.Time), 16 },
            { "vcpu_register_runstate_memory_area.addr", typeof(VcpuRegisterRunstateMemoryArea), nameof(VcpuRegisterRunstateMemoryArea.Addr), 0 },
            { "vcpu_set_periodic_timer.period_ns", typeof(VcpuSetPeriodicTimer), nameof(VcpuSetPeriodicTimer.PeriodNs), 0 },
            { "vcpu_set_singleshot_timer.timeout_abs_ns", typeof(VcpuSetSingleshotTimer), nameof(VcpuSetSingleshotTimer.TimeoutAbsNs), 0 },
            { "vcpu_set_singleshot_timer.flags", typeof(VcpuSetSingleshotTimer), nameof(VcpuSetSingleshotTimer.Flags), 8 },
            { "vcpu_register_vcpu_info.mfn", typeof(VcpuRegisterVcpuInfo), nameof(VcpuRegisterVcpuInfo.Mfn), 0 },
            { "vcpu_register_vcpu_info.offset", typeof(VcpuRegisterVcpuInfo), nameof(VcpuRegisterVcpuInfo.Offset), 8 },
            { "vcpu_register_vcpu_info.rsvd", typeof(VcpuRegisterVcpuInfo), nameof(VcpuRegisterVcpuInfo.Rsvd), 12 },
            { "vcpu_get_physid.phys_id", typeof(VcpuGetPhysid), nameof(VcpuGetPhysid.PhysId), 0 },
            { "vcpu_register_time_memory_area.addr", typeof(VcpuRegisterTimeMemoryArea), nameof(VcpuRegisterTimeMemoryArea.Addr), 0 },
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
