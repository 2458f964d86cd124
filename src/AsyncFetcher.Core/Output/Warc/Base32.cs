namespace AsyncFetcher.Core.Output.Warc;

/// <summary>RFC 4648 base32 (A-Z, 2-7), the encoding WARC digests are written in (<c>sha1:</c> followed by 32 characters).</summary>
internal static class Base32
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    /// <summary>The base32 text of <paramref name="bytes"/>, padded with '=' to a multiple of eight characters (a SHA-1 needs none).</summary>
    public static string Encode(ReadOnlySpan<byte> bytes)
    {
        var text = new char[(bytes.Length + 4) / 5 * 8];
        var length = 0;
        var buffer = 0;
        var bits = 0;
        foreach (var b in bytes)
        {
            buffer = (buffer << 8) | b;
            bits += 8;
            while (bits >= 5)
            {
                text[length++] = Alphabet[(buffer >> (bits - 5)) & 31];
                bits -= 5;
            }
        }
        if (bits > 0)
        {
            text[length++] = Alphabet[(buffer << (5 - bits)) & 31];
        }
        while (length < text.Length)
        {
            text[length++] = '=';
        }
        return new string(text);
    }
}
