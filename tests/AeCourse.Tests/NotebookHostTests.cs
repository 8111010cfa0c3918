using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using AeCourse.Tests.Support;

namespace AeCourse.Tests;

/// <summary>
/// The kit must load and train where notebooks run: in Roslyn scripting (the engine under the Polyglot C# kernel)
/// and with packages brought in by <c>#r "nuget: ..."</c>, where TorchSharp comes from the NuGet cache and no
/// deps.json tells .NET where its native libraries are. Both run in child processes that start with nothing loaded.
/// </summary>
public sealed partial class NotebookHostTests : IDisposable
{
    readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    static string Configuration => new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;   // bin/<Configuration>/net10.0

    /// <summary>
    /// AeCourse.dll alone in a folder of its own, as in its NuGet package: next to the test's copy of TorchSharp.dll,
    /// Roslyn would resolve TorchSharp from there instead of from the NuGet cache.
    /// </summary>
    string IsolatedKit()
    {
        var folder = Directory.CreateDirectory(_dir["kit"]).FullName;
        var target = Path.Combine(folder, "AeCourse.dll");
        if (!File.Exists(target)) File.Copy(Path.Combine(AppContext.BaseDirectory, "AeCourse.dll"), target);
        return target;
    }

    static string NuGetRoot => Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } root
        ? root : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");

    [Fact]
    public void Given_a_roslyn_script_referencing_torchsharp_from_the_nuget_cache_When_it_trains_Then_the_loss_drops()
    {
        var script = _dir["train.csx"];
        File.WriteAllText(script, $$"""
            #r "{{Path.Combine(NuGetRoot, "torchsharp", "0.107.0", "lib", "net8.0", "TorchSharp.dll")}}"
            #r "{{IsolatedKit()}}"
            using AeCourse.Data;
            using AeCourse.Models;
            using AeCourse.Runtime;
            using AeCourse.Training;

            var info = Setup.Initialize(seed: 0);
            Console.WriteLine($"natives {info.Native.LibTorchFolder}");
            // Script code, like a notebook cell, cannot declare `using var` at top level.
            var data = ImageDataset.Load("mnist", DatasetVariant.Embedded, store: new DataStore(@"{{TestPaths.Data}}"));
            var model = new DenseAutoencoder(784, [64], latentDim: 8);
            var optimizer = TorchSharp.torch.optim.Adam(model.parameters(), lr: 2e-3);
            var batches = new BatchIterator(data.Train.X, null, batchSize: 64, seed: 0);
            var before = ReconstructionSteps.MsePerPixel(model, data.Test.X);
            for (int epoch = 0; epoch < 4; epoch++) ReconstructionSteps.TrainEpoch(model, optimizer, batches);
            Console.WriteLine(FormattableString.Invariant($"mse {before:F4} -> {ReconstructionSteps.MsePerPixel(model, data.Test.X):F4}"));
            """);
        var host = Path.Combine(TestPaths.Repo, "tests", "AeCourse.ScriptHost", "bin", Configuration, "net10.0", "AeCourse.ScriptHost.dll");

        var (exit, output) = Run("dotnet", [host, script], _dir.Path);

        Assert.True(exit == 0, output);
        Assert.Contains("AeCourse 0.1.0 | TorchSharp 0.107.0", output);
        // libtorch came from its NuGet package, as with #r "nuget: ...": no build output put it anywhere else.
        Assert.Contains("libtorch-cpu-linux-x64", output);
        AssertLossDropped(output);
    }

    [Fact]
    public void Given_a_script_that_uses_the_kit_and_then_torch_without_set_up_When_run_Then_torch_still_loads()
    {
        // Any use of the kit prepares the natives (a module initializer), so torch works even if Setup.Initialize
        // is forgotten; on a GCC-12 system TorchSharp alone would fail here.
        var script = _dir["forgot-setup.csx"];
        File.WriteAllText(script, $$"""
            #r "{{Path.Combine(NuGetRoot, "torchsharp", "0.107.0", "lib", "net8.0", "TorchSharp.dll")}}"
            #r "{{IsolatedKit()}}"
            Console.WriteLine(AeCourse.Data.DatasetCatalog.FashionMnist.ClassNames[9]);
            Console.WriteLine(TorchSharp.torch.ones(2, 3).sum().item<float>());
            """);
        var host = Path.Combine(TestPaths.Repo, "tests", "AeCourse.ScriptHost", "bin", Configuration, "net10.0", "AeCourse.ScriptHost.dll");

        var (exit, output) = Run("dotnet", [host, script], _dir.Path);

        Assert.True(exit == 0, output);
        Assert.Equal("Ankle boot\n6\n", output.Replace("\r", ""));
    }

    [Fact]
    public void Given_the_packed_library_When_a_script_pulls_it_with_r_nuget_Then_it_loads_and_trains()
    {
        // The kit as a NuGet package in a local feed; the script is an F# Interactive script because `dotnet fsi`
        // resolves #r "nuget: ..." with the same dependency manager as Polyglot Notebooks, and ships with the SDK.
        var feed = _dir["feed"];
        // A letter first: SemVer forbids a numeric pre-release part with a leading zero, which eight hex digits can be.
        var version = "0.0.0-test.g" + Guid.NewGuid().ToString("N")[..8];
        var (packExit, packOutput) = Run("dotnet", ["pack", Path.Combine(TestPaths.Repo, "lib", "AeCourse", "AeCourse.csproj"),
            "--no-build", "-c", Configuration, "-o", feed, $"-p:Version={version}"], TestPaths.Repo);
        Assert.True(packExit == 0, packOutput);

        var script = _dir["train.fsx"];
        File.WriteAllText(script, $$"""
            #i "nuget: {{feed}}"
            #r "nuget: AeCourse, {{version}}"
            open AeCourse.Data
            open AeCourse.Runtime
            open AeCourse.Training
            // No explicit set-up call: the first use of the device initializes the kit (quietly, seed 0).
            let data = ImageDataset.Load("mnist", DatasetVariant.Embedded, store = DataStore(@"{{TestPaths.Data}}"))
            printfn "%O" Setup.Info
            let model = new AeCourse.Models.DenseAutoencoder(784, [| 64 |], 8)
            let optimizer = TorchSharp.torch.optim.Adam(model.parameters(), 2e-3)
            let batches = BatchIterator(data.Train.X, null, 64)
            let before = ReconstructionSteps.MsePerPixel(model, data.Test.X)
            for _ in 1 .. 4 do ReconstructionSteps.TrainEpoch(model, optimizer, batches) |> ignore
            printfn "mse %.4f -> %.4f" before (ReconstructionSteps.MsePerPixel(model, data.Test.X))
            """);
        // The test's own package goes to a private folder; everything else is read in place from the user's cache.
        var environment = new Dictionary<string, string>
        {
            ["NUGET_PACKAGES"] = _dir["packages"],
            ["NUGET_FALLBACK_PACKAGES"] = NuGetRoot,
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        };

        var (exit, output) = Run("dotnet", ["fsi", "--quiet", script], _dir.Path, environment);

        Assert.True(exit == 0, output);
        Assert.Contains("AeCourse 0.1.0 | TorchSharp 0.107.0", output);
        AssertLossDropped(output);
    }

    static void AssertLossDropped(string output)
    {
        var match = MseLine().Match(output);
        Assert.True(match.Success, output);
        double before = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        double after = double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
        // An untrained decoder outputs ~0.5 everywhere (MSE ~0.2 on MNIST's mostly black pixels); four epochs of the
        // 3,000 embedded digits bring an 8-dimensional code well under the mean-image MSE (~0.07): ask for a third of the start.
        Assert.True(after < before / 3, output);
    }

    static (int Exit, string Output) Run(string file, string[] args, string workingDirectory, Dictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = workingDirectory };
        foreach (var a in args) start.ArgumentList.Add(a);
        foreach (var (k, v) in environment ?? []) start.Environment[k] = v;
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5))) { p.Kill(entireProcessTree: true); return (-1, "timed out after 5 minutes\n" + stdout.Result + stderr.Result); }
        return (p.ExitCode, stdout.Result + stderr.Result);
    }

    [GeneratedRegex(@"mse (\d+\.\d+) -> (\d+\.\d+)")]
    private static partial Regex MseLine();
}
