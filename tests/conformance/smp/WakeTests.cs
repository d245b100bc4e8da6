using Hypervisor.Abi;
using Hypervisor.Guest;

namespace Hypervisor.Conformance
{
    /// <summary>
    /// Events between the vCPUs on their two CPUs: vCPU 1 polling its IPI port (SCHEDOP_poll) is
    /// blocked, and each EVTCHNOP_send from vCPU 0 wakes it; vCPU 1 running with events open takes an
    /// upcall for each send at once (the CPU running it is interrupted for it), well before its next
    /// timer tick.
    /// </summary>
    internal static unsafe class WakeTests
    {
        private const int Rounds = 10;
        private const ulong Timeout = 1_000_000_000;
        private const ulong PromptUpcall = 2_000_000;   // ns: a tick of the scheduler is 10 ms
        private const int Series = 10;

        public static void Run(TestSuite suite)
        {
            SecondVcpuBlock* block = SecondVcpu.Block;
            uint port = (uint)block->Port;

            suite.Check("second_vcpu_polls", SecondVcpu.SetMode(SecondVcpu.Poll), "it did not take the POLL mode");
            ulong settle = GuestClock.Now() + 5_000_000;
            while (GuestClock.Now() < settle)
            {
            }
            suite.Returns("runstate_polling_vcpu_blocked", VcpuRunstate.Blocked, SecondVcpu.RunstateOf(SecondVcpu.Id));
            int woken = 0;
            ulong worst = 0;
            for (int i = 0; i < Rounds; i++)
            {
                ulong before = block->Wakes;
                EventChannels.Send(port);
                ulong took = SecondVcpu.WaitForChange(&block->Wakes, before, Timeout);
                if (took == ulong.MaxValue)
                    break;
                woken++;
                if (took > worst)
                    worst = took;
            }
            suite.Result("send_wakes_polling_vcpu", woken == Rounds).Text(" ").Dec((ulong)woken).Text(" of ").Dec(Rounds)
                .Text(" sends woke it, the slowest after ").Dec(worst / 1000).Text(" us").End();

            // It leaves the poll loop at its next wake-up.
            block->Mode = SecondVcpu.Spin;
            EventChannels.Send(port);
            suite.Check("second_vcpu_leaves_poll", SecondVcpu.SetMode(SecondVcpu.Spin), "it did not go back to the SPIN mode");
            EventChannels.ClearPending(port);
            suite.Returns("unmask_port", 0, EventChannels.Unmask(port));
            suite.Check("second_vcpu_takes_events", SecondVcpu.SetMode(SecondVcpu.Events), "it did not take the EVENTS mode");
            // A busy host may leave the other emulated CPU without a host CPU for a while: a slow series
            // is measured again, up to ten times (without the interruption the median is about half
            // a tick, 5 ms, every time).
            int taken = 0, series = 0;
            ulong median = ulong.MaxValue;
            ulong* latencies = stackalloc ulong[Rounds];
            while (series < Series && (taken != Rounds || median >= PromptUpcall))
            {
                series++;
                taken = 0;
                for (int i = 0; i < Rounds; i++)
                {
                    ulong before = block->Upcalls;
                    EventChannels.Send(port);
                    ulong took = SecondVcpu.WaitForChange(&block->Upcalls, before, Timeout);
                    if (took == ulong.MaxValue)
                        break;
                    latencies[taken++] = took;
                }
                median = taken == 0 ? ulong.MaxValue : Median(latencies, taken);
            }
            suite.Result("send_interrupts_running_vcpu", taken == Rounds && median < PromptUpcall).Text(" ").Dec((ulong)taken).Text(" of ")
                .Dec(Rounds).Text(" upcalls, median after ").Dec(median / 1000).Text(" us (series ").Dec((ulong)series).Text(")").End();
            SecondVcpu.SetMode(SecondVcpu.Spin);
        }

        private static ulong Median(ulong* values, int count)
        {
            for (int i = 1; i < count; i++)
            {
                ulong value = values[i];
                int j = i - 1;
                while (j >= 0 && values[j] > value)
                {
                    values[j + 1] = values[j];
                    j--;
                }
                values[j + 1] = value;
            }
            return values[count / 2];
        }
    }
}
