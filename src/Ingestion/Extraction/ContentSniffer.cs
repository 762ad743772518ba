namespace TeacherPlatform.Ingestion.Extraction;

/// <summary>What the first bytes say a file really is, regardless of its name.</summary>
public enum SniffedKind
{
    Text,
    Pdf,
    OtherBinary,
}

/// <summary>Magic-number sniffing: uploads are never trusted by name or declared type alone.</summary>
public static class ContentSniffer
{
    public const int HeadLength = 8192;

    private static readonly byte[][] BinaryMagics =
    [
        [0x89, (byte)'P', (byte)'N', (byte)'G'], // PNG
        [0xFF, 0xD8, 0xFF], // JPEG
        "GIF8"u8.ToArray(),
        "PK\u0003\u0004"u8.ToArray(), // zip, docx, epub
        "RIFF"u8.ToArray(), // wav, webp, avi
        "OggS"u8.ToArray(),
        "ID3"u8.ToArray(), // mp3
        [0x1F, 0x8B], // gzip
        [0x1A, 0x45, 0xDF, 0xA3], // matroska/webm
        "fLaC"u8.ToArray(),
        [0xD0, 0xCF, 0x11, 0xE0], // legacy Office
        [0x37, 0x7A, 0xBC, 0xAF, 0x27, 0x1C], // 7z
    ];

    public static SniffedKind Sniff(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith("%PDF-"u8)) return SniffedKind.Pdf;
        foreach (var magic in BinaryMagics)
            if (head.StartsWith(magic)) return SniffedKind.OtherBinary;
        if (head.Length >= 8 && head.Slice(4, 4).SequenceEqual("ftyp"u8)) return SniffedKind.OtherBinary; // mp4/mov

        // UTF-16 text legitimately contains NULs; anything else with NULs is binary.
        var isUtf16 = head.StartsWith([(byte)0xFF, (byte)0xFE]) || head.StartsWith([(byte)0xFE, (byte)0xFF]);
        return !isUtf16 && head[..Math.Min(head.Length, HeadLength)].IndexOf((byte)0) >= 0 ? SniffedKind.OtherBinary : SniffedKind.Text;
    }
}
