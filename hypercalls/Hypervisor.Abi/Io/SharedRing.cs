using System.Runtime.InteropServices;

namespace Hypervisor.Abi
{
    /// <summary>Mirrors the head of io/ring.h's <c>struct NAME_sring</c> (64 bytes): the indexes shared by
    /// a front end and a back end. The ring of request/response unions follows at
    /// <see cref="EntriesOffset"/>; its length is a power of two, so indexes run freely and are masked.</summary>
    [StructLayout(LayoutKind.Explicit, Size = EntriesOffset)]
    public unsafe struct SharedRingHeader
    {
        /// <summary>Offset of <c>ring[0]</c>.</summary>
        public const int EntriesOffset = 64;

        /// <summary><c>req_prod</c>: requests published by the front end.</summary>
        [FieldOffset(0)] public uint ReqProd;

        /// <summary><c>req_event</c>: notify the back end when req_prod passes this.</summary>
        [FieldOffset(4)] public uint ReqEvent;

        /// <summary><c>rsp_prod</c>: responses published by the back end.</summary>
        [FieldOffset(8)] public uint RspProd;

        /// <summary><c>rsp_event</c>: notify the front end when rsp_prod passes this.</summary>
        [FieldOffset(12)] public uint RspEvent;

        /// <summary><c>pvt</c>: 4 bytes some protocols use (netif smartpoll), else zero.</summary>
        [FieldOffset(16)] public fixed byte Pvt[4];

        /// <summary><c>__pad[44]</c>.</summary>
        [FieldOffset(20)] public fixed byte Pad[44];

        /// <summary>Entries of <paramref name="entrySize"/> bytes that fit in a ring of
        /// <paramref name="ringBytes"/> bytes (header included), rounded down to a power of two
        /// (<c>__CONST_RING_SIZE</c>).</summary>
        public static uint EntryCount(uint ringBytes, uint entrySize)
        {
            if (entrySize == 0 || ringBytes < EntriesOffset + entrySize)
                return 0;
            uint fit = (ringBytes - EntriesOffset) / entrySize;
            uint count = 1;
            while (count <= fit / 2)
                count *= 2;
            return count;
        }

        /// <summary>Whether a producer moving its index from <paramref name="oldProd"/> to
        /// <paramref name="newProd"/> must notify, given the consumer's event index
        /// (<c>RING_PUSH_*_AND_CHECK_NOTIFY</c>). Unsigned wrap-around is intended.</summary>
        public static bool NeedsNotify(uint oldProd, uint newProd, uint eventIndex) =>
            unchecked(newProd - eventIndex) < unchecked(newProd - oldProd);
    }
}
