using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using AeCourse.Data;
using AeCourse.Losses;
using AeCourse.Metrics;
using AeCourse.Models;
using AeCourse.Notebooks.Format;
using AeCourse.Runtime;
using AeCourse.Tests.Support;
using AeCourse.Visualization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using TorchSharp;
using static TorchSharp.torch;

namespace AeCourse.Tests;

/// <summary>
/// Device discipline, guarded without a GPU (the test machines have none). In the GPU devcontainer
/// <c>Setup.Initialize</c> puts the data and the models on cuda, where libtorch refuses an operation that mixes a CPU
/// tensor with a CUDA one ("Expected all tensors to be on the same device"); on the CPU build every tensor is on the
/// CPU and such a line runs. So these tests read the code instead of running it: every code cell of every lecture in
/// source/ (hidden tests and exercise checks included) and every .cs file of lib/AeCourse, parsed with Roslyn, under
/// three rules (<see cref="Read"/>):
/// <list type="number">
/// <item>A tensor's values are read (<c>.data&lt;T&gt;()</c>) through <c>.cpu()</c>: in the same chain of calls, in the
/// initializer of the local it is called on, or on a tensor a factory made on the CPU in the same expression.
/// TorchSharp 0.107's <c>data&lt;T&gt;()</c> copies a CUDA tensor to the CPU itself (earlier releases threw "Reading
/// data from non-CPU memory is not supported"), so this rule is the kit's convention, making each copy from the GPU
/// visible, more than a crash it prevents.</item>
/// <item>A tensor factory (<c>torch.tensor</c>, <c>zeros</c>, <c>ones</c>, <c>full</c>, <c>empty</c>, <c>eye</c>,
/// <c>arange</c>, <c>linspace</c>, <c>rand</c>, <c>randn</c>, <c>randint</c>, <c>randperm</c>, …; the <c>*_like</c>
/// ones take their argument's device) names its device (<c>device:</c>), or its result is moved by a <c>.to(…)</c> whose
/// argument names a device, or is read into .NET at once (<c>.data&lt;T&gt;()</c>), or it is on the exemption list with
/// the reason it may stay on the CPU. A factory that draws from a <c>generator:</c> must not name a device: the kit's
/// generators are CPU generators, which cannot draw on CUDA; it draws on the CPU and moves the result.</item>
/// <item>In lectures, a module (a kit model, or a <c>torch.nn</c> layer) is moved with <c>.to(…device…)</c> where it is
/// made, or is on the exemption list.</item>
/// </list>
/// The rules are about syntax, not types: a factory on the exemption list could still meet a device tensor later, and a
/// tensor moved to a device could be moved back. The exemptions hold the lines checked by reading that they do not
/// (mostly exercise checks on small hand-made tensors, run on the CPU with the student's function alone); an exemption
/// that no longer matches a line fails the test, so the list stays exact.
/// <para>
/// The kit's library functions that build or draw tensors are also run on the <c>meta</c> device, which libtorch
/// treats as another device: an element-wise operation between a meta and a CPU tensor throws as it would with CUDA.
/// It is a partial stand-in: the CPU libtorch has no meta kernel for many operations (relu, convolutions, batch norm,
/// where, log-sigmoid, index_select), so no model but the linear and sigmoid autoencoders runs on it; a meta tensor has
/// no values, so nothing that reads one (metrics that return numbers, pictures) can run; and a matrix product or a
/// Linear layer given a CPU input does not throw on meta, where CUDA would. What the meta runs do check: the noise,
/// codes and penalties the kit makes end up on the device of their inputs.
/// </para>
/// </summary>
public sealed class DeviceDisciplineTests
{
    public DeviceDisciplineTests() => Setup.Initialize(seed: 0, device: "cpu", quiet: true);

    // ----- reading the code -----------------------------------------------------------------------------------------

    /// <summary>Factories that make a tensor on the CPU unless given a device.</summary>
    static readonly HashSet<string> Factories =
        ["tensor", "as_tensor", "scalar_tensor", "zeros", "ones", "full", "empty", "eye", "arange", "linspace", "logspace", "rand", "randn", "randint", "randperm"];

    /// <summary>The kit's modules, by name: made in a lecture, they must go to the device.</summary>
    static readonly HashSet<string> KitModules = typeof(DenseAutoencoder).Assembly.GetExportedTypes()
        .Where(t => t.Namespace == "AeCourse.Models" && typeof(nn.Module).IsAssignableFrom(t) && !t.IsAbstract).Select(t => t.Name).ToHashSet();

    /// <summary>What a rule found: the line of a cell or file, and what is wrong with it.</summary>
    public sealed record Finding(int Line, string Code, string Problem);

    const string CpuCheck = "an exercise check on small hand-made tensors: the student's function runs on them alone, on the CPU, and Check compares on the CPU";
    const string CpuModule = "a module made for its shape or its parameter count, run (if at all) on CPU inputs made beside it";

    /// <summary>
    /// Lines that may make a CPU tensor or module in a lecture: (notebook, cell index, the call as written) and why it
    /// never meets the device. A line changed or moved to another cell drops out of the list and fails the test.
    /// </summary>
    static readonly (string Notebook, int Cell, string Code, string Reason)[] LectureExemptions =
    [
        ("00-getting-started.ipynb", 14, "torch.tensor(new long[] { 0, 0, 3, 9, 3, 3 })", CpuCheck),
        ("00-getting-started.ipynb", 17, "torch.zeros(1, 28, 28)", CpuCheck),
        ("00-getting-started.ipynb", 17, "torch.ones(1, 28, 28)", CpuCheck),
        ("00-getting-started.ipynb", 17, "torch.full(1, 28, 28, 0.5f)", CpuCheck),
        ("01-autoencoder.ipynb", 10, "torch.nn.Sequential(torch.nn.Linear(latentDim, 256), torch.nn.ReLU(), torch.nn.Linear(256, 784))",
            "the exercise's decoder: the check below runs it on CPU codes it makes itself and counts its parameters"),
        ("01-autoencoder.ipynb", 11, "torch.zeros(5, latentDim)", "the input of the student's decoder, itself on the CPU"),
        ("01-autoencoder.ipynb", 11, "torch.zeros(2, 3)", "the input of the student's decoder, itself on the CPU"),
        ("01-autoencoder.ipynb", 11, "torch.ones(1, 3)", "the input of the student's decoder, itself on the CPU"),
        ("01-autoencoder.ipynb", 34, "torch.tensor(new double[] { 4, 3, 2, 1 })", CpuCheck),
        ("01-autoencoder.ipynb", 34, "torch.tensor(new double[] { 1, 1, 1, 1 })", CpuCheck),
        ("02-conv-autoencoder.ipynb", 11, "torch.nn.Conv2d(1, 1, 5, stride: 3, padding: 2)", CpuModule),
        ("02-conv-autoencoder.ipynb", 11, "torch.zeros(1, 1, 28, 28)", "the input of the CPU Conv2d beside it, for its output's shape"),
        ("02-conv-autoencoder.ipynb", 17, "torch.ones(1, 1, 7, 7)", "a picture of the transposed convolution's taps, computed on the CPU and drawn"),
        ("02-conv-autoencoder.ipynb", 17, "torch.ones(1, 1, kernel, kernel)", "a picture of the transposed convolution's taps, computed on the CPU and drawn"),
        ("02-conv-autoencoder.ipynb", 25, "torch.nn.ConvTranspose2d(1, 1, 5, stride: 3, padding: 1)", CpuModule),
        ("02-conv-autoencoder.ipynb", 25, "torch.zeros(1, 1, 6, 6)", "the input of the CPU ConvTranspose2d beside it, for its output's shape"),
        ("02-conv-autoencoder.ipynb", 35, "torch.tensor(new double[,] { { 0, 0, 0 }, { 1, 1, 0 }, { 2, 2, 0 }, { 3, 3.5, 0 } })", CpuCheck),
        ("03-pretraining.ipynb", 18, "new DenseAutoencoder(784, [256], latentDim)", CpuModule),
        ("03-pretraining.ipynb", 18, "new LinearProbe(untrained.Encoder, latentDim, freezeEncoder: false)", CpuModule),
        ("03-pretraining.ipynb", 18, "torch.nn.Linear(3, 2)", CpuModule),
        ("04-denoising.ipynb", 11, "torch.ones(100, 1000)", CpuCheck),
        ("04-denoising.ipynb", 38, "torch.full(4, 3, 0.05f)", CpuCheck),
        ("04-denoising.ipynb", 38, "torch.full(4, 1, 0.5f)", CpuCheck),
        ("04-denoising.ipynb", 38, "torch.tensor(new float[,] { { 0.1f, 0.2f }, { 0.3f, 0.4f } })", CpuCheck),
        ("04-denoising.ipynb", 43, "torch.tensor(new float[,] { { 1, 0, 1, 0 }, { 0, 1, 1, 0 } })", CpuCheck),
        ("04-denoising.ipynb", 43, "torch.tensor(new float[,] { { 1, 1, 0, 0 }, { 0, 0, 0, 1 } })", CpuCheck),
        ("04-denoising.ipynb", 43, "torch.zeros(2, 4)", CpuCheck),
        ("04-denoising.ipynb", 43, "torch.tensor(new float[,] { { 5, -5, -9, 9 }, { 9, -9, -9, -5 } })", CpuCheck),
        ("05-vae.ipynb", 15, "torch.tensor(new float[] { 2, -1 })", CpuCheck),
        ("05-vae.ipynb", 15, "torch.tensor(new float[] { 0, MathF.Log(4) })", CpuCheck),
        ("05-vae.ipynb", 15, "torch.tensor(new float[] { 1, 2 })", CpuCheck),
        ("05-vae.ipynb", 15, "torch.zeros(3, requires_grad: true)", CpuCheck),
        ("05-vae.ipynb", 15, "torch.full(3, 0.5f, requires_grad: true)", CpuCheck),
        ("05-vae.ipynb", 15, "torch.ones(3)", CpuCheck),
        ("05-vae.ipynb", 15, "torch.zeros(4, 3)", CpuCheck),
        ("05-vae.ipynb", 15, "torch.full(4, 3, 1.5f)", CpuCheck),
        ("05-vae.ipynb", 15, "torch.full(4, 3, -40f)", CpuCheck),
        ("05-vae.ipynb", 18, "torch.zeros(5, latentDim)", CpuCheck),
        ("05-vae.ipynb", 18, "torch.zeros(1, 4)", CpuCheck),
        ("05-vae.ipynb", 18, "torch.tensor(new float[,] { { 3, 0 } })", CpuCheck),
        ("05-vae.ipynb", 18, "torch.zeros(1, 2)", CpuCheck),
        ("05-vae.ipynb", 18, "torch.zeros(1, 1)", CpuCheck),
        ("05-vae.ipynb", 18, "torch.full(1, 1, MathF.Log(2))", CpuCheck),
        ("05-vae.ipynb", 18, "torch.randn(6, 3)", CpuCheck),
        ("05-vae.ipynb", 18, "torch.full(1, 1, MathF.Log(0.25f))", CpuCheck),
        ("06-beta-vae.ipynb", 25, "torch.tensor(new float[,] { { -2, 0.05f, 3 }, { 2, -0.05f, 3 }, { -2, 0.05f, 3 }, { 2, -0.05f, 3 } })", CpuCheck),
        ("06-beta-vae.ipynb", 25, "torch.randn(1000, 5, generator: new torch.Generator(3))", CpuCheck),
        ("06-beta-vae.ipynb", 25, "torch.zeros(10, 4)", CpuCheck),
        ("07-gan-preview.ipynb", 9, "torch.zeros(8)", CpuCheck),
        ("07-gan-preview.ipynb", 9, "torch.tensor(new float[] { 3, -3 })", CpuCheck),
        ("07-gan-preview.ipynb", 9, "torch.randn(50, generator: new torch.Generator(5))", CpuCheck),
        ("07-gan-preview.ipynb", 9, "torch.tensor(new float[] { -100 })", CpuCheck),
        ("07-gan-preview.ipynb", 11, "torch.tensor(new[] { l }, requires_grad: true)", "two gradients of one logit, worked out on the CPU and printed"),
        ("07-gan-preview.ipynb", 11, "torch.tensor(l)", "two gradients of one logit, worked out on the CPU and printed"),
        ("07-gan-preview.ipynb", 14, "torch.full(4, 20f)", "the smoothed loss of made-up logits, worked out on the CPU and printed"),
        ("07-gan-preview.ipynb", 14, "torch.full(4, MathF.Log(9))", "the smoothed loss of made-up logits, worked out on the CPU and printed"),
        ("07-gan-preview.ipynb", 41, "torch.eye(10)", CpuCheck),
        ("07-gan-preview.ipynb", 41, "torch.tensor(new[] { 0.7, 0.2, 0.1 })", CpuCheck),
        ("07-gan-preview.ipynb", 41, "torch.full(20, 10, 0.1)", CpuCheck),
        ("07-gan-preview.ipynb", 41, "torch.eye(4)", CpuCheck),
    ];

    /// <summary>Factories in the library that may make a CPU tensor: (file under lib/AeCourse, the call as written) and why.</summary>
    static readonly (string File, string Code, string Reason)[] LibraryExemptions =
    [
        ("Data/BatchIterator.cs", "empty(0)", "the empty label tensor of batches without labels: a placeholder, never combined with data"),
        ("Metrics/Tsne.cs", "randn([n, 2], dtype: ScalarType.Float64, generator: generator)", "t-SNE runs on the CPU: its input is moved there first"),
        ("Metrics/Tsne.cs", "eye(n, dtype: ScalarType.Float64)", "t-SNE runs on the CPU: its input is moved there first"),
        ("Visualization/ManifoldGrid.cs", "linspace(edge, 1 - edge, steps, dtype: ScalarType.Float32)", "Codes builds the grid on the CPU, as documented; Show moves it to the device"),
        ("Visualization/ManifoldGrid.cs", "zeros(steps * steps, latentDim)", "Codes builds the grid on the CPU, as documented; Show moves it to the device"),
        ("Visualization/ManifoldGrid.cs", "arange(steps * steps)", "Codes builds the grid on the CPU, as documented; Show moves it to the device"),
    ];

    static readonly CSharpParseOptions ScriptOptions = new(kind: SourceCodeKind.Script);

    /// <summary>The findings of the three rules in one cell or file; <paramref name="lecture"/> adds the rule on modules.</summary>
    public static List<Finding> Read(string code, bool lecture)
    {
        var root = CSharpSyntaxTree.ParseText(code, lecture ? ScriptOptions : CSharpParseOptions.Default).GetRoot();
        var findings = new List<Finding>();
        void Add(SyntaxNode node, string problem) =>
            findings.Add(new Finding(node.GetLocation().GetLineSpan().StartLinePosition.Line + 1, Normalize(node.ToString()), problem));

        foreach (var call in root.DescendantNodes().OfType<InvocationExpressionSyntax>())
        {
            if (call.Expression is MemberAccessExpressionSyntax { Name: GenericNameSyntax { Identifier.Text: "data" } } read)
            {
                if (!ReadOnCpu(read.Expression, root))
                    Add(call, "reads a tensor's values without .cpu(): write x.cpu().data<T>() (TorchSharp 0.107 copies a CUDA tensor itself, earlier releases throw; the kit makes the copy visible)");
            }
            else if (FactoryName(call) is not null)
            {
                bool device = HasArgument(call, "device"), generator = HasArgument(call, "generator");
                if (device && generator)
                    Add(call, "draws from a generator on a device: the kit's generators are CPU generators and cannot draw on CUDA; draw on the CPU and move the result with .to(Setup.Device)");
                else if (!device && !MovedOrRead(call))
                    Add(call, "makes a tensor on the CPU: name the device (device: Setup.Device), move it (.to(Setup.Device); with a generator: always), or exempt it with the reason it never meets a device tensor");
            }
            else if (lecture && IsTorchNnModule(call) && !MovedToDevice(call) && !InsideModule(call))
                Add(call, "makes a module on the CPU: move it with .to(Setup.Device), or exempt it with the reason it never meets a device tensor");
        }
        if (lecture)
            foreach (var made in root.DescendantNodes().OfType<ObjectCreationExpressionSyntax>())
                if (made.Type is IdentifierNameSyntax { Identifier.Text: var type } && KitModules.Contains(type) && !MovedToDevice(made))
                    Add(made, "makes a kit model on the CPU: move it with .to(Setup.Device), or exempt it with the reason it never meets a device tensor");
        return findings.OrderBy(f => f.Line).ToList();
    }

    static string Normalize(string code) => Regex.Replace(code, @"\s+", " ").Trim();

    static string? FactoryName(InvocationExpressionSyntax call) => call.Expression switch
    {
        MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.Text: "torch" }, Name: SimpleNameSyntax name }
            when Factories.Contains(name.Identifier.Text) => name.Identifier.Text,
        IdentifierNameSyntax name when Factories.Contains(name.Identifier.Text) => name.Identifier.Text,
        _ => null,
    };

    static bool HasArgument(InvocationExpressionSyntax call, string name) =>
        call.ArgumentList.Arguments.Any(a => a.NameColon?.Name.Identifier.Text == name);

    /// <summary>torch.nn.Linear(…), torch.nn.Sequential(…): the layer factories (capitalised), not torch.nn.functional.</summary>
    static bool IsTorchNnModule(InvocationExpressionSyntax call) =>
        call.Expression is MemberAccessExpressionSyntax { Name: SimpleNameSyntax name } access && access.Expression.ToString() == "torch.nn" &&
        char.IsUpper(name.Identifier.Text[0]);

    /// <summary>A layer inside another module's construction (torch.nn.Sequential(torch.nn.Linear(…), …)) goes with it.</summary>
    static bool InsideModule(SyntaxNode node) =>
        node.Ancestors().OfType<InvocationExpressionSyntax>().Any(IsTorchNnModule) ||
        node.Ancestors().OfType<ObjectCreationExpressionSyntax>().Any(m => m.Type is IdentifierNameSyntax { Identifier.Text: var t } && KitModules.Contains(t));

    /// <summary>The calls made on an expression's value, outwards: for x.narrow(0, 0, 5).to(d), seen from x, narrow then to (with their arguments).</summary>
    static IEnumerable<(string Name, ArgumentListSyntax? Arguments)> CallsOn(ExpressionSyntax expression)
    {
        SyntaxNode node = expression;
        while (true)
        {
            var parent = node.Parent;
            if (parent is ParenthesizedExpressionSyntax or PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.SuppressNullableWarningExpression }
                || parent is ElementAccessExpressionSyntax element && element.Expression == node)
            {
                node = parent!;
                continue;
            }
            if (parent is MemberAccessExpressionSyntax access && access.Expression == node)
            {
                var invoked = access.Parent is InvocationExpressionSyntax call && call.Expression == access ? call : null;
                yield return (access.Name.Identifier.Text, invoked?.ArgumentList);
                node = (SyntaxNode?)invoked ?? access;
                continue;
            }
            yield break;
        }
    }

    /// <summary>A .to(…) whose argument names a device (Setup.Device, x.device, device): .to(ScalarType.Float64) moves nothing.</summary>
    static bool MovedToDevice(ExpressionSyntax made) =>
        CallsOn(made).Any(c => c.Name == "to" && c.Arguments?.Arguments.FirstOrDefault()?.ToString() is { } target &&
                               (target.Contains("device", StringComparison.OrdinalIgnoreCase) || target is "CPU" or "CUDA"));

    /// <summary>Moved to a device, or read into .NET at once (randint(…).data&lt;long&gt;(): it never meets a device tensor).</summary>
    static bool MovedOrRead(InvocationExpressionSyntax factory) =>
        MovedToDevice(factory) || CallsOn(factory).FirstOrDefault().Name == "data";

    /// <summary>The calls that made an expression's value, inwards, and what they started from: for a.b().cpu(), [cpu, b] and a.</summary>
    static (List<string> Calls, ExpressionSyntax Root) CallsBefore(ExpressionSyntax expression)
    {
        var calls = new List<string>();
        while (true)
            switch (expression)
            {
                case InvocationExpressionSyntax factory when FactoryName(factory) is not null:
                    return (calls, factory);
                case ParenthesizedExpressionSyntax p:
                    expression = p.Expression;
                    break;
                case PostfixUnaryExpressionSyntax p when p.IsKind(SyntaxKind.SuppressNullableWarningExpression):
                    expression = p.Operand;
                    break;
                case InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax access }:
                    calls.Add(access.Name.Identifier.Text);
                    expression = access.Expression;
                    break;
                case MemberAccessExpressionSyntax access:
                    calls.Add(access.Name.Identifier.Text);
                    expression = access.Expression;
                    break;
                case ElementAccessExpressionSyntax element:
                    expression = element.Expression;
                    break;
                default:
                    return (calls, expression);
            }
    }

    /// <summary>
    /// The tensor whose values are read is on the CPU by construction: .cpu() in its chain, a factory without a device at
    /// its root, or a local whose every initializer has .cpu() in its chain.
    /// </summary>
    static bool ReadOnCpu(ExpressionSyntax tensor, SyntaxNode root)
    {
        var (calls, start) = CallsBefore(tensor);
        if (calls.Contains("cpu")) return true;
        if (start is InvocationExpressionSyntax factory && FactoryName(factory) is not null) return !HasArgument(factory, "device");
        if (calls.Count == 0 && start is IdentifierNameSyntax { Identifier.Text: var name })
        {
            // The method it is read in; in a lecture cell, the cell (a script's top-level variables are fields).
            var scope = (SyntaxNode?)tensor.Ancestors().OfType<MemberDeclarationSyntax>().FirstOrDefault(m => m is not (GlobalStatementSyntax or FieldDeclarationSyntax)) ?? root;
            var declarations = scope.DescendantNodes().OfType<VariableDeclaratorSyntax>().Where(v => v.Identifier.Text == name).ToList();
            return declarations.Count > 0 && declarations.All(v => v.Initializer is { } init && CallsBefore(init.Value).Calls.Contains("cpu"));
        }
        return false;
    }

    static string Repo(string relative) => Path.Combine(TestPaths.Repo, relative);

    [Fact]
    public void Given_every_lecture_cell_When_read_Then_every_tensor_and_module_is_on_the_device_or_exempt_with_a_reason()
    {
        var problems = new List<string>();
        var used = new HashSet<int>();
        foreach (var path in Directory.GetFiles(Repo("source"), "*.ipynb").Order())
        {
            var name = Path.GetFileName(path);
            var cells = Notebook.Read(path).Cells;
            for (int i = 0; i < cells.Count; i++)
            {
                if (!cells[i].IsCode) continue;
                foreach (var f in Read(cells[i].Source, lecture: true))
                {
                    int exemption = Array.FindIndex(LectureExemptions, e => e.Notebook == name && e.Cell == i && e.Code == f.Code);
                    if (exemption >= 0 && !f.Problem.StartsWith("reads") && !f.Problem.StartsWith("draws")) used.Add(exemption);
                    else problems.Add($"source/{name}, cell {i}, line {f.Line}: {f.Code} — {f.Problem}");
                }
            }
        }
        problems.AddRange(LectureExemptions.Where((_, k) => !used.Contains(k))
            .Select(e => $"exemption no longer matches a line: source/{e.Notebook}, cell {e.Cell}: {e.Code} (remove it, or give it the cell it moved to)"));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public void Given_every_library_file_When_read_Then_values_are_read_through_cpu_and_factories_name_their_device_or_are_exempt()
    {
        var folder = Repo(Path.Combine("lib", "AeCourse"));
        var problems = new List<string>();
        var used = new HashSet<int>();
        var files = Directory.GetFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(f => !Path.GetRelativePath(folder, f).Split(Path.DirectorySeparatorChar).Any(p => p is "bin" or "obj")).Order().ToList();
        Assert.Contains(files, f => f.EndsWith("Pca.cs"));
        foreach (var file in files)
        {
            var relative = Path.GetRelativePath(folder, file).Replace(Path.DirectorySeparatorChar, '/');
            foreach (var f in Read(File.ReadAllText(file), lecture: false))
            {
                int exemption = Array.FindIndex(LibraryExemptions, e => e.File == relative && e.Code == f.Code);
                if (exemption >= 0 && f.Problem.StartsWith("makes")) used.Add(exemption);
                else problems.Add($"lib/AeCourse/{relative}, line {f.Line}: {f.Code} — {f.Problem}");
            }
        }
        problems.AddRange(LibraryExemptions.Where((_, k) => !used.Contains(k))
            .Select(e => $"exemption no longer matches a line: lib/AeCourse/{e.File}: {e.Code}"));
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>The lines the reading found before they were fixed, each caught by its rule (the guard is not vacuous).</summary>
    [Theory]
    [InlineData("ImageGrid.Show(data.Train.X.index_select(0, torch.tensor(few)), columns: 10)", "torch.tensor(few)")]
    [InlineData("Console.WriteLine((correlation - torch.eye(latentDim)).abs().max().item<float>());", "torch.eye(latentDim)")]
    [InlineData("var flat = torch.zeros(3, 784);", "torch.zeros(3, 784)")]
    [InlineData("var s = string.Join(\" \", kl.data<float>().ToArray());", "kl.data<float>()")]
    [InlineData("var order = kl.argsort(descending: true).data<long>().ToArray();", "kl.argsort(descending: true).data<long>()")]
    [InlineData("return cosines.acos().rad2deg().sort().Values.data<double>().ToArray();", "cosines.acos().rad2deg().sort().Values.data<double>()")]
    [InlineData("var x = data.Train.X.index_select(0, torch.randint(data.Train.Count, [batchSize], generator: draws));", "torch.randint(data.Train.Count, [batchSize], generator: draws)")]
    [InlineData("var fake = g.forward(torch.randn(real.shape[0], latentDim)).sigmoid();", "torch.randn(real.shape[0], latentDim)")]
    [InlineData("var z = torch.randn(1000, latentDim, generator: new torch.Generator(3)).to(torch.ScalarType.Float64);", "torch.randn(1000, latentDim, generator: new torch.Generator(3))")]
    [InlineData("var z = torch.randn(1000, latentDim, generator: new torch.Generator(3), device: Setup.Device);", "torch.randn(1000, latentDim, generator: new torch.Generator(3), device: Setup.Device)")]
    [InlineData("var ae = new DenseAutoencoder(784, [256], latentDim);", "new DenseAutoencoder(784, [256], latentDim)")]
    [InlineData("var head = torch.nn.Linear(32, 10);", "torch.nn.Linear(32, 10)")]
    public void Given_a_line_that_mixes_devices_When_read_Then_it_is_flagged(string code, string flagged) =>
        Assert.Contains(flagged, Read(code, lecture: true).Select(f => f.Code));

    [Theory]
    [InlineData("ImageGrid.Show(data.Train.X.index_select(0, torch.tensor(few, device: Setup.Device)), columns: 10)")]
    [InlineData("Console.WriteLine((correlation - torch.eye(latentDim, device: Setup.Device)).abs().max().item<float>());")]
    [InlineData("var s = string.Join(\" \", kl.cpu().data<float>().ToArray());")]
    [InlineData("var w = weight.detach().to(torch.ScalarType.Float64).cpu(); var values = w.data<double>().ToArray();")]
    [InlineData("var tops = torch.randint(0, 10, [4], generator: g).data<long>().ToArray();")]
    [InlineData("var x = data.Train.X.index_select(0, torch.randint(data.Train.Count, [batchSize], generator: draws).to(Setup.Device));")]
    [InlineData("var fake = g.forward(torch.randn(real.shape[0], latentDim, device: Setup.Device)).sigmoid();")]
    [InlineData("var index = torch.randperm(n, generator: new torch.Generator(4)).narrow(0, 0, 10).to(data.Test.X.device);")]
    [InlineData("var ae = new DenseAutoencoder(784, [256], latentDim).to(Setup.Device);")]
    [InlineData("var net = torch.nn.Sequential(torch.nn.Linear(784, 32), torch.nn.ReLU()).to(Setup.Device);")]
    [InlineData("var noise = torch.randn_like(x); var y = torch.nn.functional.relu(x);")]
    public void Given_a_line_that_keeps_to_one_device_When_read_Then_nothing_is_flagged(string code) =>
        Assert.Empty(Read(code, lecture: true));

    // ----- running the library on the meta device --------------------------------------------------------------------

    static readonly Device Meta = new("meta");

    static Tensor OnMeta(params long[] shape) => zeros(shape, device: Meta);

    [Fact]
    public void Given_a_cpu_tensor_and_a_meta_one_When_combined_Then_libtorch_refuses_them_as_it_refuses_cpu_and_cuda()
    {
        // The mistakes lectures 05 and 06 made, on meta instead of CUDA: the stand-in sees them.
        var e = Assert.Throws<ExternalException>(() => OnMeta(10, 10) - eye(10));
        Assert.Contains("Expected all tensors to be on the same device", e.Message);
        e = Assert.Throws<ExternalException>(() => Reconstruction.BcePerImage(zeros(3, 784), OnMeta(3, 784)));
        Assert.Contains("Expected all tensors to be on the same device", e.Message);
    }

    [Fact]
    public void Given_inputs_on_another_device_When_the_kit_draws_noise_or_builds_tensors_from_them_Then_the_results_are_on_that_device()
    {
        var results = new (string What, Func<Tensor> Make)[]
        {
            ("Reparameterization.Sample", () => Reparameterization.Sample(OnMeta(4, 3), OnMeta(4, 3))),
            ("Reparameterization.Sample with a generator", () => Reparameterization.Sample(OnMeta(4, 3), OnMeta(4, 3), new Generator(1))),
            ("Corruptions.Gaussian", () => Corruptions.Gaussian(OnMeta(4, 1, 28, 28), 0.5, new Generator(1))),
            ("Corruptions.Masking", () => Corruptions.Masking(OnMeta(4, 784), 0.5, new Generator(1))),
            ("Corruptions.Occlude", () => Corruptions.Occlude(OnMeta(4, 1, 28, 28), 12, new Generator(1))),
            ("Interpolation.Linear", () => Interpolation.Linear(OnMeta(1, 784), OnMeta(1, 784))),
            ("LatentTraversal.Codes", () => LatentTraversal.Codes(OnMeta(10), [0, 3])),
            ("ContractivePenalty.Autograd", () =>
            {
                var encoder = nn.Linear(784, 10).to(Meta);
                return ContractivePenalty.Autograd(x => encoder.forward(x).sigmoid(), OnMeta(4, 784));
            }),
            ("ContractivePenalty.SigmoidLayer", () => ContractivePenalty.SigmoidLayer(OnMeta(4, 10), OnMeta(10, 784))),
            ("Sparsity.KlToTarget", () => Sparsity.KlToTarget(OnMeta(4, 10), 0.05)),
            ("LatentStatistics.KlPerDimension", () => LatentStatistics.KlPerDimension(OnMeta(4, 10), OnMeta(4, 10))),
            ("Pca.Fit, Encode", () => Pca.Fit(OnMeta(20, 10), 3).Encode(OnMeta(5, 10))),
            ("FrechetDistance.Moments", () => FrechetDistance.Moments(OnMeta(20, 5)).Covariance),
            ("LinearAutoencoder", () => new LinearAutoencoder(784, 32).to(Meta).forward(OnMeta(4, 784))),
            ("SigmoidAutoencoder", () => new SigmoidAutoencoder(784, 64).to(Meta).forward(OnMeta(4, 784))),
        };
        var wrong = results.Select(r => (r.What, Device: r.Make().device_type)).Where(r => r.Device != DeviceType.META).ToList();
        Assert.True(wrong.Count == 0, string.Join("\n", wrong.Select(w => $"{w.What}: on {w.Device}, not on its inputs' meta device")));
    }
}
