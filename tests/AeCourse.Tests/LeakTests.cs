using System.Reflection;
using System.Runtime.CompilerServices;
using AeCourse.Data;
using AeCourse.Metrics;
using AeCourse.Models;
using AeCourse.Runtime;
using AeCourse.Visualization;
using TorchSharp;
using static TorchSharp.torch;

namespace AeCourse.Tests;

/// <summary>
/// Every public function of the metrics and pictures leaves as many live tensors as it found: its intermediates are
/// freed when it returns, not left to the garbage collector, which does not see libtorch's memory. TorchSharp counts
/// the tensors made and disposed on each thread (<see cref="DisposeScopeManager.Statistics"/>); a finalizer runs on
/// its own thread, so the garbage collector cannot make this thread's count look right.
/// </summary>
public sealed class LeakTests
{
    public LeakTests() => Setup.Initialize(seed: 0, device: "cpu", quiet: true);

    static long LiveTensors => DisposeScopeManager.Statistics.ThreadTotalLiveCount;

    /// <summary>What a case needs besides tensors (models, generators), disposed after it.</summary>
    sealed class Inputs
    {
        public readonly List<IDisposable> Owned = [];

        public T Own<T>(T disposable) where T : IDisposable
        {
            Owned.Add(disposable);
            return disposable;
        }
    }

    static Tensor Features(long n, long d, ulong seed = 1)
    {
        using var generator = new Generator(seed);
        return randn([n, d], generator: generator);
    }

    static Tensor Images(long n, ulong seed = 2)
    {
        using var generator = new Generator(seed);
        return rand([n, 1, 28, 28], generator: generator);
    }

    static Func<Tensor, Tensor> DecoderOf(GaussianVae vae) => z => vae.Decode(z).sigmoid();

    /// <summary>
    /// Per public function (named as <see cref="Signature"/> writes it): makes the inputs, and returns the call whose
    /// tensors are counted.
    /// </summary>
    static readonly Dictionary<string, Func<Inputs, Func<object?>>> Cases = new()
    {
        ["FrechetDistance.Between(Tensor, Tensor)"] = _ =>
        {
            var (a, b) = (Features(40, 5), Features(30, 5, seed: 2));
            return () => FrechetDistance.Between(a, b);
        },
        ["FrechetDistance.FromMoments(Tensor, Tensor, Tensor, Tensor)"] = _ =>
        {
            var (mu1, mu2) = (Features(1, 4)[0], Features(1, 4, seed: 2)[0]);
            var (sigma1, sigma2) = (eye(4) * 2, diag(tensor(new float[] { 1, 2, 3, 4 })));
            return () => FrechetDistance.FromMoments(mu1, sigma1, mu2, sigma2);
        },
        ["FrechetDistance.Moments(Tensor)"] = _ =>
        {
            var features = Features(40, 5);
            return () => FrechetDistance.Moments(features);
        },
        ["ImageQuality.Psnr(Tensor, Tensor)"] = _ =>
        {
            var (x, xHat) = (Images(4), Images(4, seed: 3));
            return () => ImageQuality.Psnr(xHat, x);
        },
        ["ImportanceWeightedNll.Estimate(GaussianVae, Tensor, Int32, Generator)"] = inputs =>
        {
            var vae = inputs.Own(new DenseVae(784, 16, 2));
            var generator = inputs.Own(new Generator(1));
            var x = Images(3).flatten(1);
            return () => ImportanceWeightedNll.Estimate(vae, x, k: 4, generator);
        },
        ["InceptionScore.Compute(Tensor)"] = _ =>
        {
            var probabilities = Features(8, 4).softmax(1);
            return () => InceptionScore.Compute(probabilities);
        },
        ["InceptionScore.Terms(Tensor)"] = _ =>
        {
            var probabilities = Features(8, 4).softmax(1);
            return () => InceptionScore.Terms(probabilities);
        },
        ["LatentStatistics.ActiveUnits(Tensor, Double)"] = _ =>
        {
            var mu = Features(20, 3);
            return () => LatentStatistics.ActiveUnits(mu);
        },
        ["LatentStatistics.KlPerDimension(Tensor, Tensor)"] = _ =>
        {
            var (mu, logVar) = (Features(20, 3), Features(20, 3, seed: 2));
            return () => LatentStatistics.KlPerDimension(mu, logVar);
        },
        ["LatentStatistics.LabelHistogram(Tensor, Int32)"] = _ =>
        {
            var labels = tensor(new int[] { 0, 2, 1, 2 });
            return () => LatentStatistics.LabelHistogram(labels, 3);
        },
        ["LinearProbeAccuracy.Evaluate(Func<Tensor, Tensor>, LabeledImages, LabeledImages, Int32, Int32, Double, Int32)"] = inputs =>
        {
            var names = new[] { "a", "b" };
            var train = inputs.Own(new LabeledImages(Images(20), arange(2).repeat(10), names));
            var test = inputs.Own(new LabeledImages(Images(6, seed: 3), arange(2).repeat(3), names));
            return () => LinearProbeAccuracy.Evaluate(x => x.flatten(1), train, test, labelsPerClass: 3, steps: 5);
        },
        ["LinearProbeAccuracy.Accuracy(Tensor, Tensor)"] = _ =>
        {
            var (logits, labels) = (Features(10, 3), arange(10).remainder(3));
            return () => LinearProbeAccuracy.Accuracy(logits, labels);
        },
        ["NearestNeighbour.LeaveOneOutAccuracy(Tensor, Tensor)"] = _ =>
        {
            var (points, labels) = (Features(10, 2), arange(10).remainder(2));
            return () => NearestNeighbour.LeaveOneOutAccuracy(points, labels);
        },
        ["Pca.Fit(Tensor, Int32)"] = _ =>
        {
            var data = Features(20, 6);
            return () => Pca.Fit(data, 3);
        },
        ["Pca.Spectrum(Tensor)"] = _ =>
        {
            var data = Features(20, 6);
            return () => Pca.Spectrum(data);
        },
        ["Pca.Encode(Tensor)"] = _ =>
        {
            var (pca, data) = (Pca.Fit(Features(20, 6), 3), Features(5, 6, seed: 2));
            return () => pca.Encode(data);
        },
        ["Pca.Decode(Tensor)"] = _ =>
        {
            var (pca, codes) = (Pca.Fit(Features(20, 6), 3), Features(5, 3, seed: 2).to(ScalarType.Float64));
            return () => pca.Decode(codes);
        },
        ["Pca.MsePerPixel(Tensor)"] = _ =>
        {
            var (pca, data) = (Pca.Fit(Features(20, 6), 3), Features(5, 6, seed: 2));
            return () => pca.MsePerPixel(data);
        },
        ["Pca.Dispose()"] = _ =>
        {
            var data = Features(20, 6);
            // Fitted and disposed within the call: what Fit kept must all be freed by Dispose.
            return () =>
            {
                Pca.Fit(data, 3).Dispose();
                return null;
            };
        },
        ["CodeQuantizer.Fit(Tensor, Int32)"] = _ =>
        {
            var z = Features(20, 3);
            return () => CodeQuantizer.Fit(z, bits: 3);
        },
        ["CodeQuantizer.Quantize(Tensor)"] = inputs =>
        {
            var (quantizer, z) = (inputs.Own(CodeQuantizer.Fit(Features(20, 3), bits: 3)), Features(5, 3, seed: 2));
            return () => quantizer.Quantize(z);
        },
        ["CodeQuantizer.Dequantize(Tensor)"] = inputs =>
        {
            var quantizer = inputs.Own(CodeQuantizer.Fit(Features(20, 3), bits: 3));
            var symbols = arange(15).remainder(8).view(5, 3);
            return () => quantizer.Dequantize(symbols);
        },
        ["CodeQuantizer.EntropyBits(Tensor)"] = _ =>
        {
            var symbols = arange(15).remainder(4).view(5, 3);
            return () => CodeQuantizer.EntropyBits(symbols);
        },
        ["CodeQuantizer.Dispose()"] = _ =>
        {
            var z = Features(20, 3);
            // Fitted and disposed within the call: the two range tensors must both be freed.
            return () =>
            {
                CodeQuantizer.Fit(z, bits: 2).Dispose();
                return null;
            };
        },
        ["LosslessCodeLength.ToBytes(Tensor)"] = _ =>
        {
            var images = Images(2);
            return () => LosslessCodeLength.ToBytes(images);
        },
        ["LosslessCodeLength.BitsPerImage(Tensor, LosslessCoder, Boolean)"] = _ =>
        {
            var images = Images(2);
            return () => LosslessCodeLength.BitsPerImage(images, LosslessCoder.Deflate);
        },
        ["Subspaces.PrincipalAnglesDegrees(Tensor, Tensor)"] = _ =>
        {
            var (a, b) = (Features(2, 5), Features(3, 5, seed: 2));
            return () => Subspaces.PrincipalAnglesDegrees(a, b);
        },
        ["Ranking.RocAuc(Tensor, Tensor)"] = _ =>
        {
            var (scores, positive) = (Features(1, 10)[0], arange(10).remainder(2));
            return () => Ranking.RocAuc(scores, positive);
        },
        ["RateDistortion.Measure(GaussianVae, Tensor, Generator, Int32)"] = inputs =>
        {
            var vae = inputs.Own(new DenseVae(784, 16, 2));
            var generator = inputs.Own(new Generator(1));
            var x = Images(5);
            return () => RateDistortion.Measure(vae, x, generator, batchSize: 2);
        },
        ["Tsne.Embed(Tensor, Double, Int32, Int64)"] = _ =>
        {
            var data = Features(12, 4);
            return () => Tsne.Embed(data, perplexity: 3, steps: 5);
        },

        ["BarChart.KlPerDimension(Tensor, String)"] = _ =>
        {
            var kl = Features(1, 5)[0].abs();
            return () => BarChart.KlPerDimension(kl);
        },
        ["ImageGrid.ToPng(Tensor, Int32, Int32, Int32)"] = _ =>
        {
            var images = Images(3);
            return () => ImageGrid.ToPng(images, columns: 2);
        },
        ["ImageGrid.Show(Tensor, Int32, Int32, Int32, String)"] = _ =>
        {
            var images = Images(3).flatten(1);
            return () => ImageGrid.Show(images, columns: 2);
        },
        ["ImageGrid.Save(Tensor, String, Int32, Int32, Int32)"] = _ =>
        {
            var images = Images(3);
            var path = Path.Combine(Path.GetTempPath(), $"aecourse-leak-{Guid.NewGuid():N}.png");
            return () =>
            {
                try { ImageGrid.Save(images, path); }
                finally { File.Delete(path); }
                return null;
            };
        },
        ["ImageGrid.Rows(ValueTuple<String, Tensor>[])"] = _ =>
        {
            var (x, xHat) = (Images(3), Images(3, seed: 3));
            return () => ImageGrid.Rows(("original", x), ("reconstructed", xHat));
        },
        ["ImageGrid.Rows(IReadOnlyList<ValueTuple<String, Tensor>>, Int32, Int32, String)"] = _ =>
        {
            var (x, xHat) = (Images(3), Images(2, seed: 3));
            return () => ImageGrid.Rows([("original", x), ("reconstructed", xHat)], scale: 1, padding: 1);
        },
        ["Interpolation.Linear(Tensor, Tensor, Int32)"] = _ =>
        {
            var (a, b) = (Features(1, 4)[0], Features(1, 4, seed: 2)[0]);
            return () => Interpolation.Linear(a, b, steps: 5);
        },
        ["Interpolation.Compare(Func<Tensor, Tensor>, Func<Tensor, Tensor>, Tensor, Tensor, Int32)"] = inputs =>
        {
            var vae = inputs.Own(new DenseVae(784, 16, 2));
            var (xA, xB) = (Images(1).flatten(1), Images(1, seed: 3).flatten(1));
            return () => Interpolation.Compare(x => vae.Encode(x).Mu, DecoderOf(vae), xA, xB, steps: 4);
        },
        ["LatentTraversal.Codes(Tensor, IReadOnlyList<Int32>, Double, Int32)"] = _ =>
        {
            var z0 = Features(1, 4)[0];
            return () => LatentTraversal.Codes(z0, [0, 2], steps: 3);
        },
        ["LatentTraversal.Show(Func<Tensor, Tensor>, Tensor, IReadOnlyList<Int32>, Double, Int32)"] = inputs =>
        {
            var vae = inputs.Own(new DenseVae(784, 16, 2));
            var z0 = zeros(2);
            return () => LatentTraversal.Show(DecoderOf(vae), z0, [0, 1], steps: 3);
        },
        ["ManifoldGrid.Codes(Int32, Int32, Int32, Int32, Double)"] = _ => () => ManifoldGrid.Codes(3, steps: 4),
        ["ManifoldGrid.Show(Func<Tensor, Tensor>, Int32, Int32, Int32, Int32, Device)"] = inputs =>
        {
            var vae = inputs.Own(new DenseVae(784, 16, 2));
            return () => ManifoldGrid.Show(DecoderOf(vae), 2, steps: 3);
        },
        ["ScatterChart.ByClass(Tensor, Tensor, IReadOnlyList<String>, String, String, String)"] = _ =>
        {
            var (points, labels) = (Features(10, 2), arange(10).remainder(3).to(ScalarType.Int32));
            return () => ScatterChart.ByClass(points, labels, ["a", "b", "c"], "codes");
        },
    };

    /// <summary>Public functions that need no case, and why.</summary>
    static readonly Dictionary<string, string> Exempt = new()
    {
        ["LatentStatistics.LabelEntropy(IReadOnlyList<Int32>)"] = "counts in, a number out: no tensors",
        ["Ranking.RocAuc(IReadOnlyList<Double>, IReadOnlyList<Boolean>)"] = "arrays in, a number out: no tensors",
        ["RateDistortion.Loss(Double)"] = "arithmetic on the record's two numbers",
        ["BarChart.Of(String, String, IReadOnlyList<ValueTuple<String, Double>>)"] = "numbers in, a chart of numbers out",
        ["LineChart.OverEpochs(String, String, ValueTuple<String, IReadOnlyList<Double>>[])"] = "numbers in, a chart of numbers out",
        ["RateDistortionChart.Of(IReadOnlyList<ValueTuple<String, RateDistortion>>, String)"] = "numbers in, a chart of numbers out",
        ["Figure.ToPng()"] = "draws the chart's numbers with SkiaSharp",
        ["LosslessCodeLength.Compress(ReadOnlySpan<Byte>, LosslessCoder)"] = "bytes in, bytes out: no tensors",
        ["LosslessCodeLength.Decompress(Byte[], LosslessCoder)"] = "bytes in, bytes out: no tensors",
        ["Figure.SavePng(String)"] = "draws the chart's numbers with SkiaSharp",
        ["Figure.ToPlotlyJson()"] = "writes the chart's numbers as JSON",
        ["Figure.ToHtml()"] = "writes the chart's numbers as HTML",
        ["Figure.SaveHtml(String, String)"] = "writes the chart's numbers as HTML",
        ["Picture.Save(String)"] = "writes PNG bytes",
        ["Picture.ToBase64()"] = "encodes PNG bytes",
        ["Picture.ToHtml()"] = "encodes PNG bytes",
        ["LiveDisplay.Show(Object)"] = "hands a value to the notebook host",
        ["LiveDisplay.TryShow(Object)"] = "hands a value to the notebook host",
        ["LiveDisplay.Update(Object)"] = "hands a value to the notebook host",
        ["MimeFormatter.Format(Object, TextWriter)"] = "writes a value's text",
    };

    public static TheoryData<string> CaseNames()
    {
        var names = new TheoryData<string>();
        foreach (var name in Cases.Keys) names.Add(name);
        return names;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Given_a_public_metric_or_picture_When_called_Then_no_tensor_outlives_it_but_what_it_returns(string function)
    {
        var inputs = new Inputs();
        try
        {
            // The inputs' tensors go with this scope, after the count.
            using var scope = NewDisposeScope();
            var call = Cases[function](inputs);
            long before = LiveTensors;

            DisposeResult(call());

            long after = LiveTensors;
            Assert.True(before == after, $"{function}: {before} live tensors before the call, {after} after it "
                + $"(more: it leaked; fewer: it disposed an input). {DisposeScopeManager.Statistics}");
        }
        finally
        {
            foreach (var owned in inputs.Owned) owned.Dispose();
        }
    }

    [Fact]
    public void Given_the_metrics_and_pictures_When_their_public_functions_are_listed_Then_each_has_a_leak_case_or_an_exemption()
    {
        var functions = PublicFunctions().ToDictionary(Signature);
        var problems = functions.Keys.Where(f => !Cases.ContainsKey(f) && !Exempt.ContainsKey(f)).Order()
            .Select(f => $"no leak case or exemption: {f}")
            .Concat(Cases.Keys.Concat(Exempt.Keys).Where(f => !functions.ContainsKey(f)).Select(f => $"no such public function: {f}"))
            // An exemption is for functions that cannot hold a tensor; one that can needs a case.
            .Concat(Exempt.Keys.Where(f => functions.TryGetValue(f, out var m) && TouchesTensors(m)).Select(f => $"exempt but takes or returns tensors: {f}"))
            .ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>
    /// The public methods of the public types in the metrics and pictures namespaces; not the members C# writes for
    /// records and every object (ToString, Equals, Deconstruct, …) where they touch no tensor.
    /// </summary>
    static IEnumerable<MethodInfo> PublicFunctions() =>
        typeof(Pca).Assembly.GetExportedTypes()
            .Where(t => t.Namespace is "AeCourse.Metrics" or "AeCourse.Visualization")
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Where(m => !m.IsSpecialName)   // property accessors and operators
            .Where(m => !(IsBoilerplate(m) && !TouchesTensors(m)));

    static bool IsBoilerplate(MethodInfo m) =>
        m.Name is nameof(ToString) or nameof(Equals) or nameof(GetHashCode) or "Deconstruct"
        || m.IsDefined(typeof(CompilerGeneratedAttribute));

    static bool TouchesTensors(MethodInfo m) =>
        m.GetParameters().Any(p => HoldsTensors(p.ParameterType)) || HoldsTensors(m.ReturnType) || !m.IsStatic && HoldsTensors(m.DeclaringType!);

    /// <summary>TorchSharp's types (tensors, modules, generators) and what carries them: delegates, tuples, lists, and the kit's disposable types.</summary>
    static bool HoldsTensors(Type t) =>
        t.Namespace?.StartsWith("TorchSharp", StringComparison.Ordinal) == true
        || t.Assembly == typeof(Pca).Assembly && typeof(IDisposable).IsAssignableFrom(t)
        || t.HasElementType && HoldsTensors(t.GetElementType()!)
        || t.IsGenericType && t.GetGenericArguments().Any(HoldsTensors)
        || t.BaseType is { } baseType && HoldsTensors(baseType);

    /// <summary>"Type.Method(ParameterType, …)", generic types as List&lt;Int32&gt;.</summary>
    static string Signature(MethodInfo m) =>
        $"{NameOf(m.DeclaringType!)}.{m.Name}({string.Join(", ", m.GetParameters().Select(p => NameOf(p.ParameterType)))})";

    static string NameOf(Type t) =>
        t.IsArray ? NameOf(t.GetElementType()!) + "[]"
        : t.IsGenericType && !t.IsGenericTypeDefinition ? $"{t.Name[..t.Name.IndexOf('`')]}<{string.Join(", ", t.GetGenericArguments().Select(NameOf))}>"
        : t.Name.Split('`')[0];

    /// <summary>Disposes the tensors (and disposable objects) a function returned, so that only its leaks stay counted.</summary>
    static void DisposeResult(object? result)
    {
        switch (result)
        {
            case ITuple tuple:
                for (int i = 0; i < tuple.Length; i++) DisposeResult(tuple[i]);
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }
    }
}
