using System;
using System.Runtime;
using System.Runtime.CompilerServices;
namespace Hypervisor
{
    public class Thing { public int X; public virtual int Get() => X; }
    public static unsafe class Probe
    {
        static Thing s_thing = new Thing { X = 5 };
        static int[] s_table = new int[] { 1, 2, 3 };

        [RuntimeExport("hv_entry")]
        public static void Main(uint magic, ulong info)
        {
            Internal.Runtime.RuntimeHeap.AddRegion((byte*)EarlyHeap(), 0x200000);
            ulong* layout = stackalloc ulong[8];
            Layout(layout);
            Internal.Runtime.ModuleInitializer.InitializeModules((void**)layout[3], (void**)layout[4]);
            Print("(HV) hello from C#\n");
            var t = new Thing();
            t.X = 7;
            Print(s_thing.Get() == 5 && s_table[2] == 3 && t.Get() == 7 ? "(HV) ok\n" : "(HV) bad\n");
            Out(0x604, 0x2000);
        }
        static void Print(string s) { for (int i = 0; i < s.Length; i++) Out8(0x3f8, (byte)s[i]); }
        [RuntimeImport("hv_image_layout"), MethodImpl(MethodImplOptions.InternalCall)] static extern void Layout(ulong* l);
        [RuntimeImport("early_heap_addr"), MethodImpl(MethodImplOptions.InternalCall)] static extern ulong EarlyHeap();
        [RuntimeImport("probe_out8"), MethodImpl(MethodImplOptions.InternalCall)] static extern void Out8(ushort p, byte v);
        [RuntimeImport("probe_out16"), MethodImpl(MethodImplOptions.InternalCall)] static extern void Out(ushort p, ushort v);
    }
}
