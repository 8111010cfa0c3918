namespace AeCourse.Data;

/// <summary>
/// Builds the small subsets committed under <c>data/embedded</c> from fetched full sets: the first k images of each
/// class, in file order, from train and from test. Deterministic (same full set, same bytes) and stratified.
/// </summary>
public static class EmbeddedSubset
{
    /// <summary>Writes the subset of <paramref name="dataset"/> and records it in the embedded manifest.</summary>
    /// <exception cref="FileNotFoundException">The full set has not been fetched.</exception>
    public static ManifestEntry Build(DataStore store, DatasetInfo dataset, int trainPerClass, int testPerClass)
    {
        var source = store.FullFolder(dataset.Name);
        var manifestPath = Path.Combine(source, DataManifest.FileName);
        if (!File.Exists(manifestPath))
            throw new FileNotFoundException($"The full {dataset.Name} set is not in {source}: run `aecourse data fetch {dataset.Name}` first.");
        var full = DataManifest.Read(manifestPath).Entries.Single();
        var target = store.EmbeddedFolder(dataset.Name);
        Directory.CreateDirectory(target);

        var train = TakePerClass(source, SplitFiles.TrainImages, SplitFiles.TrainLabels, trainPerClass, dataset.ClassNames.Count);
        var test = TakePerClass(source, SplitFiles.TestImages, SplitFiles.TestLabels, testPerClass, dataset.ClassNames.Count);
        IdxFile.Write(Path.Combine(target, SplitFiles.TrainImages), train.Images);
        IdxFile.Write(Path.Combine(target, SplitFiles.TrainLabels), train.Labels);
        IdxFile.Write(Path.Combine(target, SplitFiles.TestImages), test.Images);
        IdxFile.Write(Path.Combine(target, SplitFiles.TestLabels), test.Labels);

        var entry = new ManifestEntry(dataset.Name, "embedded", full.Source, full.Licence,
            $"stratified subset: the first {trainPerClass} training and {testPerClass} test images of each class, in file order, of the full set ({full.Note})",
            train.Images.Count, test.Images.Count,
            Enumerable.Repeat(trainPerClass, dataset.ClassNames.Count).ToArray(), Enumerable.Repeat(testPerClass, dataset.ClassNames.Count).ToArray(),
            SplitFiles.All.Select(f => DataManifest.Describe(store.Root, $"embedded/{dataset.Name}/{f}")).ToList());

        var others = File.Exists(store.EmbeddedManifestPath)
            ? DataManifest.Read(store.EmbeddedManifestPath).Entries.Where(e => e.Dataset != dataset.Name)
            : [];
        new DataManifest(1, others.Append(entry).OrderBy(e => e.Dataset, StringComparer.Ordinal).ToList()).Write(store.EmbeddedManifestPath);
        return entry;
    }

    static (IdxArray Images, IdxArray Labels) TakePerClass(string folder, string imagesFile, string labelsFile, int perClass, int classes)
    {
        var images = IdxFile.Read(Path.Combine(folder, imagesFile));
        var labels = IdxFile.Read(Path.Combine(folder, labelsFile));
        int pixels = images.Shape[1] * images.Shape[2];
        var taken = new int[classes];
        var chosen = new List<int>();
        for (int i = 0; i < labels.Count && chosen.Count < perClass * classes; i++)
            if (taken[labels.Payload[i]]++ < perClass) chosen.Add(i);
        for (int c = 0; c < classes; c++)
            if (taken[c] < perClass)
                throw new InvalidDataException($"{Path.Combine(folder, labelsFile)}: class {c} has {taken[c]} images, fewer than the {perClass} asked for.");
        var imageBytes = new byte[chosen.Count * pixels];
        var labelBytes = new byte[chosen.Count];
        for (int n = 0; n < chosen.Count; n++)
        {
            Array.Copy(images.Payload, (long)chosen[n] * pixels, imageBytes, (long)n * pixels, pixels);
            labelBytes[n] = labels.Payload[chosen[n]];
        }
        return (IdxArray.FromBytes(imageBytes, chosen.Count, images.Shape[1], images.Shape[2]), IdxArray.FromBytes(labelBytes, chosen.Count));
    }
}
