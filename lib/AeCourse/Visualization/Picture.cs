namespace AeCourse.Visualization;

/// <summary>
/// A PNG picture made by the kit (an image grid, a reconstruction strip, …). In a notebook it displays as the image;
/// <see cref="Save"/> writes it to a file.
/// </summary>
/// <param name="Png">The encoded PNG.</param>
/// <param name="Caption">Alternative text and title.</param>
[TypeFormatterSource(typeof(PictureFormatters), PreferredMimeTypes = ["image/png", "text/html", "text/plain"])]
public sealed record Picture(byte[] Png, string Caption = "")
{
    /// <summary>Writes the PNG (atomically).</summary>
    public Picture Save(string path)
    {
        IO.AtomicFile.WriteAllBytes(path, Png);
        return this;
    }

    /// <summary>Base64 of the PNG, as notebooks store images.</summary>
    public string ToBase64() => Convert.ToBase64String(Png);

    /// <summary>An &lt;img&gt; element with the picture inline.</summary>
    public string ToHtml() =>
        $"<img src=\"data:image/png;base64,{ToBase64()}\" alt=\"{System.Net.WebUtility.HtmlEncode(Caption)}\" title=\"{System.Net.WebUtility.HtmlEncode(Caption)}\"/>";

    /// <inheritdoc />
    public override string ToString() => string.IsNullOrEmpty(Caption) ? $"Picture ({Png.Length} bytes PNG)" : $"{Caption} ({Png.Length} bytes PNG)";
}

/// <summary>Formatters of <see cref="Picture"/>: the PNG itself, an inline HTML image, and a line of text.</summary>
sealed class PictureFormatters
{
    public IEnumerable<object> CreateTypeFormatters() =>
    [
        new MimeFormatter<Picture>("image/png", (p, w) => w.Write(p.ToBase64())),
        new MimeFormatter<Picture>("text/html", (p, w) => w.Write(p.ToHtml())),
        new MimeFormatter<Picture>("text/plain", (p, w) => w.Write(p.ToString())),
    ];
}
