using TorchSharp;
using static TorchSharp.torch;

namespace AeCourse.Data;

/// <summary>Images with their labels, as tensors on one device.</summary>
/// <param name="X">Images, [N, 1, 28, 28] float32 in [0, 1].</param>
/// <param name="Y">Labels, [N] int64.</param>
/// <param name="ClassNames">Names of the classes, by label.</param>
public sealed record LabeledImages(Tensor X, Tensor Y, IReadOnlyList<string> ClassNames) : IDisposable
{
    /// <summary>Number of images.</summary>
    public long Count => X.shape[0];

    /// <summary>Images as flat vectors, [N, 784], for dense models (a view, no copy).</summary>
    public Tensor Flat => X.view(Count, -1);

    /// <summary>
    /// The first <paramref name="perClass"/> images of every class, class by class: [perClass·classes, 1, 28, 28].
    /// The same examples on every run, for pictures that compare models.
    /// </summary>
    public Tensor FirstPerClass(int perClass = 1)
    {
        if (perClass < 1) throw new ArgumentOutOfRangeException(nameof(perClass), perClass, "take at least one image per class");
        using var scope = NewDisposeScope();
        var indices = Enumerable.Range(0, ClassNames.Count).Select(c =>
        {
            var members = Y.eq(c).nonzero().squeeze(1);
            if (members.shape[0] < perClass)
                throw new ArgumentException($"class {c} ({ClassNames[c]}) has {members.shape[0]} images, fewer than the {perClass} asked for.", nameof(perClass));
            return members.narrow(0, 0, perClass);
        }).ToArray();
        return X.index_select(0, cat(indices, 0)).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        X.Dispose();
        Y.Dispose();
    }
}

/// <summary>A dataset's train and test splits and where they came from.</summary>
/// <param name="Name">Catalog name.</param>
/// <param name="Variant">Embedded subset or full set.</param>
/// <param name="Folder">Folder the files were read from.</param>
/// <param name="Train">Training split.</param>
/// <param name="Test">Test split.</param>
public sealed record ImageDataset(string Name, DatasetVariant Variant, string Folder, LabeledImages Train, LabeledImages Test) : IDisposable
{
    /// <summary>Loads a dataset by name onto a device (default: the one <see cref="Runtime.Setup.Initialize"/> chose).</summary>
    /// <param name="name">mnist, fashion-mnist or kmnist.</param>
    /// <param name="variant">Auto: the full set if fetched, else the embedded subset.</param>
    /// <param name="device">Where the tensors go.</param>
    /// <param name="store">Data folder; default <see cref="DataStore.Locate"/>.</param>
    public static ImageDataset Load(string name, DatasetVariant variant = DatasetVariant.Auto, Device? device = null, DataStore? store = null)
    {
        var info = DatasetCatalog.Get(name);
        store ??= DataStore.Locate();
        var folder = store.FolderOf(info.Name, variant);
        device ??= Runtime.Setup.Device;
        var loaded = folder == store.FullFolder(info.Name) ? DatasetVariant.Full : DatasetVariant.Embedded;
        return new ImageDataset(info.Name, loaded, folder,
            LoadSplit(folder, SplitFiles.TrainImages, SplitFiles.TrainLabels, info, device),
            LoadSplit(folder, SplitFiles.TestImages, SplitFiles.TestLabels, info, device));
    }

    /// <summary>Reads one images/labels pair of IDX files into tensors.</summary>
    public static LabeledImages LoadSplit(string folder, string imagesFile, string labelsFile, DatasetInfo info, Device device)
    {
        var images = IdxFile.Read(Path.Combine(folder, imagesFile));
        var labels = IdxFile.Read(Path.Combine(folder, labelsFile));
        if (images.Shape.Length != 3 || images.Type != IdxType.UInt8)
            throw new IdxFormatException(Path.Combine(folder, imagesFile), $"expected unsigned-byte images [N, rows, columns], found {images.Type} of rank {images.Shape.Length}");
        if (labels.Count != images.Count)
            throw new IdxFormatException(Path.Combine(folder, labelsFile), $"count mismatch: {labels.Count} labels for {images.Count} images in {imagesFile}");
        using var scope = NewDisposeScope();
        // Bytes go to the device first and are converted there: a quarter of the transfer of float32.
        var x = tensor(images.Payload, [images.Count, 1, images.Shape[1], images.Shape[2]], ScalarType.Byte)
            .to(device).to(ScalarType.Float32).div_(255f);
        var y = tensor(labels.Payload, [labels.Count], ScalarType.Byte).to(device).to(ScalarType.Int64);
        return new LabeledImages(x.MoveToOuterDisposeScope(), y.MoveToOuterDisposeScope(), info.ClassNames);
    }

    /// <inheritdoc />
    public override string ToString() =>
        $"{DatasetCatalog.Get(Name).Title} ({Variant.ToString().ToLowerInvariant()}): {Train.Count} train, {Test.Count} test images from {Folder}";

    /// <inheritdoc />
    public void Dispose()
    {
        Train.Dispose();
        Test.Dispose();
    }
}
