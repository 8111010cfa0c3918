using AeCourse.Data;
using AeCourse.Tests.Support;

namespace AeCourse.Tests;

public sealed class DataStoreTests : IDisposable
{
    readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>A copy of the committed embedded data (manifest and files), to damage freely.</summary>
    DataStore CopyOfEmbeddedData() => new(TestPaths.CopyEmbeddedData(_dir["data"]));

    [Fact]
    public void Given_the_committed_data_When_verified_Then_every_file_matches_its_manifest()
    {
        var store = new DataStore(TestPaths.Data);
        var manifest = DataManifest.Read(store.EmbeddedManifestPath);
        Assert.Equal(["fashion-mnist", "mnist"], manifest.Entries.Select(e => e.Dataset));
        Assert.DoesNotContain(store.Verify(), p => !p.Path.Contains($"{Path.DirectorySeparatorChar}full{Path.DirectorySeparatorChar}"));
    }

    [Fact]
    public void Given_the_manifest_When_read_Then_counts_agree_with_the_files_and_classes_are_balanced()
    {
        var store = new DataStore(TestPaths.Data);
        foreach (var entry in DataManifest.Read(store.EmbeddedManifestPath).Entries)
        {
            var folder = store.EmbeddedFolder(entry.Dataset);
            var (train, trainPerClass) = DatasetFetcher.CheckPair(folder, SplitFiles.TrainImages, SplitFiles.TrainLabels, 10);
            var (test, testPerClass) = DatasetFetcher.CheckPair(folder, SplitFiles.TestImages, SplitFiles.TestLabels, 10);
            Assert.Equal(entry.Train, train);
            Assert.Equal(entry.Test, test);
            Assert.Equal(entry.TrainPerClass, trainPerClass);
            Assert.Equal(entry.TestPerClass, testPerClass);
            Assert.Single(trainPerClass.Distinct());   // stratified: the same count in every class
        }
    }

    [Fact]
    public void Given_one_flipped_byte_When_verified_Then_the_file_is_named_as_corrupt()
    {
        var store = CopyOfEmbeddedData();
        var victim = Path.Combine(store.EmbeddedFolder("mnist"), SplitFiles.TestImages);
        var bytes = File.ReadAllBytes(victim);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(victim, bytes);

        var problem = Assert.Single(store.Verify());

        Assert.Equal(victim, problem.Path);
        Assert.Contains("SHA-256", problem.Problem);
    }

    [Fact]
    public void Given_one_flipped_byte_When_the_command_verifies_Then_it_exits_1_and_names_the_file()
    {
        var store = CopyOfEmbeddedData();
        var victim = Path.Combine(store.EmbeddedFolder("fashion-mnist"), SplitFiles.TrainLabels);
        var bytes = File.ReadAllBytes(victim);
        bytes[^1] ^= 0x80;
        File.WriteAllBytes(victim, bytes);

        var bad = AeCourseCommand.Run("data", "verify", "--data", store.Root);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains(victim, bad.Stderr);

        File.Copy(Path.Combine(TestPaths.Data, "embedded", "fashion-mnist", SplitFiles.TrainLabels), victim, overwrite: true);
        var good = AeCourseCommand.Run("data", "verify", "--data", store.Root);
        Assert.Equal(0, good.ExitCode);
        Assert.Contains("8 files OK", good.Stdout);
    }

    [Fact]
    public void Given_a_missing_file_When_verified_Then_it_is_reported_missing()
    {
        var store = CopyOfEmbeddedData();
        File.Delete(Path.Combine(store.EmbeddedFolder("mnist"), SplitFiles.TrainLabels));
        var problem = Assert.Single(store.Verify());
        Assert.Equal("missing", problem.Problem);
    }

    [Fact]
    public void Given_only_embedded_data_When_asked_for_the_full_set_Then_the_error_says_how_to_fetch_it()
    {
        var store = CopyOfEmbeddedData();
        var e = Assert.Throws<FileNotFoundException>(() => store.FolderOf("fashion-mnist", DatasetVariant.Full));
        Assert.Contains("aecourse data fetch fashion-mnist", e.Message);
        Assert.Equal(store.EmbeddedFolder("fashion-mnist"), store.FolderOf("fashion-mnist", DatasetVariant.Auto));
    }

    [Fact]
    public void Given_a_name_When_looked_up_Then_aliases_work_and_unknown_names_list_the_known_ones()
    {
        Assert.Same(DatasetCatalog.FashionMnist, DatasetCatalog.Get("Fashion_MNIST"));
        Assert.Same(DatasetCatalog.Kmnist, DatasetCatalog.Get("kuzushiji-mnist"));
        Assert.Equal("Ankle boot", DatasetCatalog.FashionMnist.ClassNames[9]);
        var e = Assert.Throws<ArgumentException>(() => DatasetCatalog.Get("cifar10"));
        Assert.Contains("mnist, fashion-mnist, kmnist", e.Message.Replace("fashion-mnist, mnist", "mnist, fashion-mnist"));
    }
}
