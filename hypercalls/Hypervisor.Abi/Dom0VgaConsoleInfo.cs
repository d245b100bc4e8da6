using System.Runtime.InteropServices;

namespace Hypervisor.Abi
{
    /// <summary>Mirrors xen.h <c>struct dom0_vga_console_info</c> (40 bytes on x86-64): the initial
    /// domain's view of the firmware console, found at <see cref="StartInfo.Dom0ConsoleInfoOffset"/>.
    /// The text-mode and linear-framebuffer views share the union at offset 4.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 40)]
    public struct Dom0VgaConsoleInfo
    {
        /// <summary>VGA text mode 3 (<c>XEN_VGATYPE_TEXT_MODE_3</c>).</summary>
        public const byte TypeTextMode3 = 0x03;

        /// <summary>VESA linear framebuffer (<c>XEN_VGATYPE_VESA_LFB</c>).</summary>
        public const byte TypeVesaLfb = 0x23;

        /// <summary>EFI framebuffer (<c>XEN_VGATYPE_EFI_LFB</c>).</summary>
        public const byte TypeEfiLfb = 0x70;

        /// <summary><c>video_type</c>: one of the Type* values.</summary>
        [FieldOffset(0)] public byte VideoType;

        /// <summary><c>u.text_mode_3.font_height</c>, in pixels.</summary>
        [FieldOffset(4)] public ushort TextFontHeight;

        /// <summary><c>u.text_mode_3.cursor_x</c>.</summary>
        [FieldOffset(6)] public ushort TextCursorX;

        /// <summary><c>u.text_mode_3.cursor_y</c>.</summary>
        [FieldOffset(8)] public ushort TextCursorY;

        /// <summary><c>u.text_mode_3.rows</c>.</summary>
        [FieldOffset(10)] public ushort TextRows;

        /// <summary><c>u.text_mode_3.columns</c>.</summary>
        [FieldOffset(12)] public ushort TextColumns;

        /// <summary><c>u.vesa_lfb.width</c>, in pixels.</summary>
        [FieldOffset(4)] public ushort LfbWidth;

        /// <summary><c>u.vesa_lfb.height</c>, in pixels.</summary>
        [FieldOffset(6)] public ushort LfbHeight;

        /// <summary><c>u.vesa_lfb.bytes_per_line</c>.</summary>
        [FieldOffset(8)] public ushort LfbBytesPerLine;

        /// <summary><c>u.vesa_lfb.bits_per_pixel</c>.</summary>
        [FieldOffset(10)] public ushort LfbBitsPerPixel;

        /// <summary><c>u.vesa_lfb.lfb_base</c>: low 32 bits of the framebuffer's physical address.</summary>
        [FieldOffset(12)] public uint LfbBase;

        /// <summary><c>u.vesa_lfb.lfb_size</c>, in 64 KiB units.</summary>
        [FieldOffset(16)] public uint LfbSize;

        /// <summary><c>u.vesa_lfb.red_pos</c>.</summary>
        [FieldOffset(20)] public byte RedPos;

        /// <summary><c>u.vesa_lfb.red_size</c>.</summary>
        [FieldOffset(21)] public byte RedSize;

        /// <summary><c>u.vesa_lfb.green_pos</c>.</summary>
        [FieldOffset(22)] public byte GreenPos;

        /// <summary><c>u.vesa_lfb.green_size</c>.</summary>
        [FieldOffset(23)] public byte GreenSize;

        /// <summary><c>u.vesa_lfb.blue_pos</c>.</summary>
        [FieldOffset(24)] public byte BluePos;

        /// <summary><c>u.vesa_lfb.blue_size</c>.</summary>
        [FieldOffset(25)] public byte BlueSize;

        /// <summary><c>u.vesa_lfb.rsvd_pos</c>.</summary>
        [FieldOffset(26)] public byte ReservedPos;

        /// <summary><c>u.vesa_lfb.rsvd_size</c>.</summary>
        [FieldOffset(27)] public byte ReservedSize;

        /// <summary><c>u.vesa_lfb.gbl_caps</c>: VBE capabilities.</summary>
        [FieldOffset(28)] public uint GlobalCaps;

        /// <summary><c>u.vesa_lfb.mode_attrs</c>: VBE mode attributes.</summary>
        [FieldOffset(32)] public ushort ModeAttributes;

        /// <summary><c>u.vesa_lfb.pad</c>.</summary>
        [FieldOffset(34)] public ushort Pad;

        /// <summary><c>u.vesa_lfb.ext_lfb_base</c>: high 32 bits of the framebuffer address
        /// (interface 0x00040d00 and later).</summary>
        [FieldOffset(36)] public uint ExtLfbBase;
    }
}
