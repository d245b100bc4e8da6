using System;
using System.Collections.Generic;
using System.Text;

namespace Hypervisor.Core.Tests.Support
{
    /// <summary>Builds ACPI structures (RSDP, RSDT/XSDT, FADT, DSDT, MADT) as byte arrays with correct
    /// checksums, and places them in a <see cref="FakeMemory"/>.</summary>
    public static class AcpiBuilder
    {
        public static byte[] Rsdp(byte revision, uint rsdt, ulong xsdt, string oem = "TESTOE")
        {
            int length = revision >= 2 ? 36 : 20;
            var b = new byte[length];
            Encoding.ASCII.GetBytes("RSD PTR ").CopyTo(b, 0);
            Encoding.ASCII.GetBytes(oem).CopyTo(b, 9);
            b[15] = revision;
            BitConverter.GetBytes(rsdt).CopyTo(b, 16);
            if (revision >= 2)
            {
                BitConverter.GetBytes((uint)length).CopyTo(b, 20);
                BitConverter.GetBytes(xsdt).CopyTo(b, 24);
            }

            b[8] = Fix(b, 0, 20, 8);
            if (revision >= 2)
            {
                b[32] = Fix(b, 0, length, 32);
            }

            return b;
        }

        /// <summary>A table: 36-byte header with signature, length and checksum, then the body.</summary>
        public static byte[] Table(string signature, byte[] body, byte revision = 1)
        {
            var b = new byte[36 + body.Length];
            Encoding.ASCII.GetBytes(signature).CopyTo(b, 0);
            BitConverter.GetBytes((uint)b.Length).CopyTo(b, 4);
            b[8] = revision;
            Encoding.ASCII.GetBytes("TESTOE").CopyTo(b, 10);
            Encoding.ASCII.GetBytes("TESTTBL ").CopyTo(b, 16);
            body.CopyTo(b, 36);
            b[9] = Fix(b, 0, b.Length, 9);
            return b;
        }

        public static byte[] Rsdt(params uint[] tables)
        {
            var body = new List<byte>();
            foreach (var t in tables)
            {
                body.AddRange(BitConverter.GetBytes(t));
            }

            return Table("RSDT", body.ToArray());
        }

        public static byte[] Xsdt(params ulong[] tables)
        {
            var body = new List<byte>();
            foreach (var t in tables)
            {
                body.AddRange(BitConverter.GetBytes(t));
            }

            return Table("XSDT", body.ToArray());
        }

        /// <summary>A FADT of <paramref name="totalLength"/> bytes (244 for ACPI 2.0+, 116 for 1.0).</summary>
        public static byte[] Fadt(uint dsdt, uint pm1a, uint pm1b, ulong xDsdt = 0, uint flags = 0,
            (byte Space, ulong Address)? resetRegister = null, byte resetValue = 0, int totalLength = 244)
        {
            var body = new byte[totalLength - 36];
            void Put32(int offset, uint v) { if (offset + 4 <= totalLength) BitConverter.GetBytes(v).CopyTo(body, offset - 36); }
            void Put64(int offset, ulong v) { if (offset + 8 <= totalLength) BitConverter.GetBytes(v).CopyTo(body, offset - 36); }
            Put32(40, dsdt);
            Put32(64, pm1a);
            Put32(68, pm1b);
            Put32(112, flags);
            if (resetRegister.HasValue && totalLength >= 129)
            {
                body[116 - 36] = resetRegister.Value.Space;
                body[117 - 36] = 8;
                Put64(120, resetRegister.Value.Address);
                body[128 - 36] = resetValue;
            }

            Put64(140, xDsdt);
            return Table("FACP", body, 4);
        }

        /// <summary>A DSDT whose AML holds the given bytes (e.g. a \_S5_ package).</summary>
        public static byte[] Dsdt(byte[] aml) => Table("DSDT", aml, 2);

        /// <summary>AML for <c>Name (\_S5_, Package (4) { a, b, 0, 0 })</c> with elements given as raw
        /// encodings.</summary>
        public static byte[] S5Package(byte[] first, byte[] second, bool rootPrefix = true, byte elements = 4)
        {
            var aml = new List<byte> { 0x10, 0x05, (byte)'\\', 0x00 }; // some unrelated Scope bytes first
            aml.Add(0x08); // NameOp
            if (rootPrefix)
            {
                aml.Add((byte)'\\');
            }

            aml.AddRange(Encoding.ASCII.GetBytes("_S5_"));
            aml.Add(0x12); // PackageOp
            var contents = new List<byte> { elements };
            contents.AddRange(first);
            contents.AddRange(second);
            contents.Add(0x00);
            contents.Add(0x00);
            aml.Add((byte)(contents.Count + 1)); // one-byte PkgLength
            aml.AddRange(contents);
            return aml.ToArray();
        }

        public static byte[] Madt(uint localApic, uint flags, params byte[][] entries)
        {
            var body = new List<byte>();
            body.AddRange(BitConverter.GetBytes(localApic));
            body.AddRange(BitConverter.GetBytes(flags));
            foreach (var e in entries)
            {
                body.AddRange(e);
            }

            return Table("APIC", body.ToArray(), 3);
        }

        public static byte[] LocalApic(byte processorId, byte apicId, uint flags)
        {
            var e = new byte[8];
            e[0] = 0;
            e[1] = 8;
            e[2] = processorId;
            e[3] = apicId;
            BitConverter.GetBytes(flags).CopyTo(e, 4);
            return e;
        }

        public static byte[] IoApic(byte id, uint address, uint gsiBase)
        {
            var e = new byte[12];
            e[0] = 1;
            e[1] = 12;
            e[2] = id;
            BitConverter.GetBytes(address).CopyTo(e, 4);
            BitConverter.GetBytes(gsiBase).CopyTo(e, 8);
            return e;
        }

        public static byte[] LocalApicOverride(ulong address)
        {
            var e = new byte[12];
            e[0] = 5;
            e[1] = 12;
            BitConverter.GetBytes(address).CopyTo(e, 4);
            return e;
        }

        public static byte[] LocalX2Apic(uint x2ApicId, uint flags)
        {
            var e = new byte[16];
            e[0] = 9;
            e[1] = 16;
            BitConverter.GetBytes(x2ApicId).CopyTo(e, 4);
            BitConverter.GetBytes(flags).CopyTo(e, 8);
            return e;
        }

        /// <summary>Breaks a structure's checksum (flips a byte that is not the checksum).</summary>
        public static byte[] Corrupt(byte[] table, int offset = 20)
        {
            var copy = (byte[])table.Clone();
            copy[offset] ^= 0x5A;
            return copy;
        }

        /// <summary>Recomputes a table's header checksum after a test edited its bytes.</summary>
        public static byte[] Rechecksum(byte[] table)
        {
            table[9] = Fix(table, 0, table.Length, 9);
            return table;
        }

        public static void Place(FakeMemory memory, ulong address, byte[] bytes, int? mapSize = null)
        {
            memory.Map(address, mapSize ?? bytes.Length);
            memory.WriteBytes(address, bytes);
        }

        private static byte Fix(byte[] b, int start, int length, int checksumOffset)
        {
            b[checksumOffset] = 0;
            int sum = 0;
            for (int i = start; i < start + length; i++)
            {
                sum += b[i];
            }

            return (byte)(256 - (sum & 0xFF));
        }
    }
}
