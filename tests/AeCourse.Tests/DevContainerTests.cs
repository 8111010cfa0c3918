using System.Runtime.Versioning;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AeCourse.Tests.Support;

namespace AeCourse.Tests;

/// <summary>
/// The devcontainer (.devcontainer/) as far as a machine without a Docker engine and without a GPU can check it:
/// devcontainer.json as the Dev Containers CLI and VS Code's JSONC parser read it and against a schema written from the
/// specification; the files and Dockerfile stages it names and the grader image's contract; the shell scripts; the
/// TorchSharp package each backend asks NuGet for. The images themselves are never built here (docs/devcontainer.md).
/// Linux only, like the container: bash, ShellCheck and a stand-in nvidia-smi.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class DevContainerTests : IDisposable
{
    static string Folder => Path.Combine(TestPaths.Repo, ".devcontainer");
    static string ConfigFile => Path.Combine(Folder, "devcontainer.json");
    static string DockerfilePath => Path.Combine(Folder, "Dockerfile");
    static string Checks => Path.Combine(TestPaths.Repo, "tests", "AeCourse.Tests", "DevContainer");
    static string Tools => Path.Combine(Checks, "devcontainer-tools.mjs");

    static readonly string[] Extensions = ["ms-dotnettools.csharp", "ms-toolsai.jupyter", "ms-dotnettools.dotnet-interactive-vscode"];

    /// <summary>Installed once into a folder of their own under the temporary folder, and reused by later runs.</summary>
    static readonly Lazy<NpmTools> Npm = new(() => NpmTools.Install(
        "@devcontainers/cli@0.89.0", "jsonc-parser@3.3.1", "ajv@8.20.0", "dockerfile-ast@0.7.1", "dockerfile-utils@0.16.3", "@balena/dockerignore@1.0.2"));

    readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    // ---- devcontainer.json, read by the tools that read it for real ----

    // The Dev Containers CLI is the reference implementation of the specification (VS Code's extension runs the same
    // code): what it prints is the configuration a container would be made from, not our reading of the file.
    [Fact]
    public void Given_the_devcontainer_json_When_the_Dev_Containers_CLI_reads_it_Then_it_builds_the_devcontainer_stage_with_an_optional_GPU()
    {
        var (run, configuration) = ReadConfiguration(TestPaths.Repo);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Empty(Problems(configuration));
    }

    // The CLI's parser repairs what it can: a missing brace does not stop it, it only nests what follows into the wrong
    // object. So the check above is what catches it (and the JSONC and schema checks below refuse the file outright).
    [Fact]
    public void Given_a_copy_missing_a_brace_When_the_CLI_reads_it_Then_the_check_finds_the_properties_moved()
    {
        var workspace = BrokenCopy("missing brace");

        var (run, configuration) = ReadConfiguration(workspace);

        Assert.True(run.ExitCode != 0 || Problems(configuration).Count > 0, $"a broken devcontainer.json passed the check:\n{run}");
    }

    // jsonc-parser is the parser VS Code reads every JSONC file with, and Ajv an independent JSON Schema validator; the
    // schema is ours, written from the specification's reference (the specification's own schema is not on any registry
    // these machines reach), every top-level property in it so that a misspelling is refused.
    [Fact]
    public void Given_the_devcontainer_json_When_validated_against_the_specification_schema_Then_it_has_no_errors()
    {
        var run = Validate(ConfigFile);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("[]", JsonNode.Parse(run.Stdout)!["errors"]!.ToJsonString());
    }

    [Theory]
    [InlineData("missing brace", "CloseBraceExpected")]
    [InlineData("missing comma", "CommaExpected")]
    [InlineData("misspelled property", "must NOT have additional properties: remoteUsr")]
    [InlineData("gpu sometimes", "/hostRequirements/gpu must match exactly one schema in oneOf")]
    [InlineData("command as a number", "/postCreateCommand must match exactly one schema in oneOf")]
    public void Given_a_broken_copy_When_validated_Then_the_error_is_reported(string mutation, string error)
    {
        var run = Validate(Path.Combine(BrokenCopy(mutation), ".devcontainer", "devcontainer.json"));

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(error, run.Stdout);
    }

    // ---- the files and stages devcontainer.json names ----
    // devcontainer.json is read here with System.Text.Json (which skips JSONC's comments); the Dockerfile with the parser
    // and linter of VS Code's Dockerfile language server (dockerfile-ast, dockerfile-utils), and its ignore file by
    // Docker's rules as @balena/dockerignore (the library of Docker's Node.js clients) implements them.

    [Fact]
    public void Given_the_devcontainer_json_Then_the_files_it_names_exist()
    {
        var config = Config();
        var build = config["build"]!;

        Assert.True(File.Exists(Path.Combine(Folder, Text(build["dockerfile"])!)), "build.dockerfile");
        Assert.Equal(TestPaths.Repo, Path.GetFullPath(Path.Combine(Folder, Text(build["context"]) ?? ".")).TrimEnd('/'));
        // Lifecycle commands run in the workspace folder, the repository root.
        var scripts = LifecycleWords(config).Where(w => w.EndsWith(".sh", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(scripts);
        Assert.All(scripts, s => Assert.True(File.Exists(Path.Combine(TestPaths.Repo, s)), $"{s} is named but missing"));
    }

    [Fact]
    public void Given_the_Dockerfile_When_the_Dockerfile_language_server_lints_it_Then_it_finds_nothing()
    {
        var (run, _) = ReadDockerfile(DockerfilePath);

        Assert.True(run.ExitCode == 0, run.ToString());
    }

    [Theory]
    [InlineData("COPY lib lib", "COPPY lib lib", "Unknown instruction: COPPY")]
    [InlineData("AS grader", "AS sdk", "duplicate name sdk")]
    public void Given_a_broken_Dockerfile_When_linted_Then_the_finding_is_reported(string line, string broken, string finding)
    {
        var text = File.ReadAllText(DockerfilePath);
        Assert.Contains(line, text);   // the mutation still applies to the file as it is now
        File.WriteAllText(_dir["Dockerfile"], text.Replace(line, broken));

        var (run, _) = ReadDockerfile(_dir["Dockerfile"]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains(finding, run.Stdout);
    }

    [Fact]
    public void Given_the_Dockerfile_Then_it_has_the_stages_that_devcontainer_json_and_deploy_build()
    {
        var config = Config();
        var stages = Stages();
        var names = stages.Select(s => s.Name).ToList();
        var target = Text(config["build"]!["target"]);

        Assert.Contains(target, names);
        Assert.Contains("grader", names);
        // The user VS Code connects as is the one the target stage ends with.
        Assert.Equal([Text(config["remoteUser"])!], stages.Single(s => s.Name == target).All("USER").Last().Arguments);
        for (int i = 0; i < stages.Count; i++)
        {
            var earlier = names.Take(i).ToList();
            // A stage starts from an earlier one or from a pinned image: a dated tag or a digest, never a moving tag.
            Assert.True(earlier.Contains(stages[i].From) || IsPinned(stages[i].From), $"stage {stages[i].Name} starts FROM {stages[i].From}");
            foreach (var copy in stages[i].All("COPY"))
                if (copy.Flags.TryGetValue("from", out var from)) Assert.Contains(from, earlier);
        }
    }

    // The build context is the repository root (devcontainer.json's build.context ".."), less what the Dockerfile's own
    // ignore file leaves out: a COPY of anything else fails the build, which nothing here can run.
    [Fact]
    public void Given_the_Dockerfile_Then_every_COPY_source_is_in_the_build_context()
    {
        var sources = Stages().SelectMany(s => s.All("COPY"))
            .Where(c => !c.Flags.ContainsKey("from"))
            .SelectMany(c => c.Arguments.SkipLast(1))
            .Select(source => source.StartsWith("./", StringComparison.Ordinal) ? source[2..] : source)
            .ToList();

        Assert.NotEmpty(sources);
        Assert.All(sources, s => Assert.True(Path.Exists(Path.Combine(TestPaths.Repo, s)), $"COPY {s}: not in the repository"));
        var ignored = Npm.Value.Node([Tools, "ignores", Path.Combine(Folder, "Dockerfile.dockerignore"), .. sources]);
        Assert.True(ignored.ExitCode == 0, $"left out of the build context by Dockerfile.dockerignore: {ignored}");
    }

    // What deploy/ relies on. The apphost's name is MSBuild's: the CLI project's AssemblyName as MSBuild evaluates it.
    [Fact]
    public void Given_the_grader_stage_Then_it_keeps_the_contract_deploy_relies_on()
    {
        var stages = Stages();
        var grader = stages.Single(s => s.Name == "grader");
        var text = string.Join('\n', grader.Instructions.Select(i => $"{i.Keyword} {i.Text}"));
        var assembly = MSBuild("lib/AeCourse.Cli/AeCourse.Cli.csproj", "-getProperty:AssemblyName").Stdout.Trim();

        Assert.Contains(stages, s => s.All("RUN").Any(r => r.Text.Contains(
            "dotnet publish lib/AeCourse.Cli -c Release -p:AeCourseBackend=cpu -o /opt/aecourse", StringComparison.Ordinal)));
        Assert.Contains("COPY data /opt/aecourse/data", text);
        Assert.Contains("ENV AECOURSE_DATA=/opt/aecourse/data", text);
        Assert.Contains($"ln -s /opt/aecourse/{assembly} /usr/local/bin/aecourse", text);
        Assert.Contains("--uid 10001", text);
        Assert.Equal(["10001:10001"], grader.All("USER").Last().Arguments);
        Assert.Equal(["/work"], grader.All("WORKDIR").Last().Arguments);
        Assert.Equal(["aecourse"], grader.All("ENTRYPOINT").Single().Json!);
        // bubblewrap comes with the stage the grader starts from (or one of its ancestors).
        Assert.Contains(Ancestry(stages, grader).SelectMany(s => s.All("RUN")), r => r.Arguments.Contains("bubblewrap"));
    }

    // ---- shell scripts: bash's own parser and ShellCheck (Debian's package), not a reading of ours ----

    public static TheoryData<string> ShellScripts()
    {
        var data = new TheoryData<string>();
        foreach (var file in ScriptFiles()) data.Add(Path.GetRelativePath(TestPaths.Repo, file));
        return data;
    }

    [Theory]
    [MemberData(nameof(ShellScripts))]
    public void Given_a_shell_script_When_bash_and_ShellCheck_read_it_Then_both_pass(string script)
    {
        var syntax = NpmTools.Run("bash", TestPaths.Repo, TimeSpan.FromMinutes(1), ["-n", script]);
        var lint = NpmTools.Run("shellcheck", TestPaths.Repo, TimeSpan.FromMinutes(1), ["--format=gcc", script]);

        Assert.True(syntax.ExitCode == 0, syntax.ToString());
        Assert.True(lint.ExitCode == 0, lint.ToString());
    }

    [Fact]
    public void Given_the_scripts_checked_Then_the_devcontainers_are_among_them()
    {
        Assert.Contains(Path.Combine(TestPaths.Repo, ".devcontainer", "post-create.sh"), ScriptFiles());
    }

    [Theory]
    [InlineData("bash", "if then fi\n")]
    [InlineData("shellcheck", "for f in $(ls *.sh); do rm $f; done\n")]
    public void Given_a_broken_script_When_checked_Then_the_check_refuses_it(string tool, string body)
    {
        File.WriteAllText(_dir["broken.sh"], "#!/usr/bin/env bash\n" + body);

        var run = NpmTools.Run(tool, _dir.Path, TimeSpan.FromMinutes(1), tool == "bash" ? ["-n", "broken.sh"] : ["broken.sh"]);

        Assert.NotEqual(0, run.ExitCode);
    }

    // ---- the backend: which one post-create.sh picks, and what MSBuild and NuGet make of it ----

    // No GPU here, so nvidia-smi is a stand-in that answers as the real one does in each case (the NVIDIA Container
    // Toolkit puts the real one into a container only when it was given a GPU).
    [Theory]
    [InlineData("echo 'GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-0c1f2e3d)'", "", 0, "cuda")]
    [InlineData("echo 'No devices were found'; exit 6", "", 0, "cpu")]
    [InlineData("echo \"NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\"; exit 9", "", 0, "cpu")]
    [InlineData("echo 'GPU 0: NVIDIA H100 80GB HBM3 (UUID: GPU-0c1f2e3d)'", "cpu", 0, "cpu")]
    [InlineData("exit 9", "rocm", 2, "")]
    public void Given_what_nvidia_smi_says_When_post_create_picks_the_backend_Then_it_builds_for_a_usable_GPU_only(string nvidiaSmi, string forced, int exitCode, string backend)
    {
        var bin = Directory.CreateDirectory(_dir["bin"]).FullName;
        File.WriteAllText(Path.Combine(bin, "nvidia-smi"), "#!/bin/sh\n" + nvidiaSmi + "\n");
        File.SetUnixFileMode(Path.Combine(bin, "nvidia-smi"), UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var environment = new Dictionary<string, string>
        {
            ["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH"), ["AECOURSE_BACKEND"] = forced,
        };

        var run = NpmTools.Run("bash", TestPaths.Repo, TimeSpan.FromMinutes(1), [".devcontainer/post-create.sh", "--print-backend"], environment);

        Assert.True(run.ExitCode == exitCode, run.ToString());
        Assert.Equal(backend, run.Stdout.Trim());
    }

    // MSBuild's own evaluation: -getItem evaluates the project as MSBuild does for a build and prints its items without running a target, so it
    // works here although TorchSharp-cuda-linux is not on this machine's NuGet source. The version comes from
    // Directory.Packages.props (central package management): PackageReference joined with PackageVersion.
    [Theory]
    [InlineData("cuda", "TorchSharp-cuda-linux", "TorchSharp-cpu")]
    [InlineData(null, "TorchSharp-cpu", "TorchSharp-cuda-linux")]
    [InlineData("cpu", "TorchSharp-cpu", "TorchSharp-cuda-linux")]
    public void Given_a_backend_When_MSBuild_evaluates_the_library_Then_it_references_that_TorchSharp_package(string? backend, string expected, string other)
    {
        var run = MSBuild("lib/AeCourse/AeCourse.csproj", ["-getItem:PackageReference", "-getItem:PackageVersion", .. BackendProperty(backend)]);
        Assert.True(run.ExitCode == 0, run.ToString());
        var items = JsonNode.Parse(run.Stdout)!["Items"]!;
        var versions = items["PackageVersion"]!.AsArray().ToDictionary(i => Text(i!["Identity"])!, i => Text(i!["Version"]));
        var references = items["PackageReference"]!.AsArray().Select(i => Text(i!["Identity"])!).ToList();

        Assert.Contains(expected, references);
        Assert.Equal("0.107.0", versions[expected]);
        Assert.DoesNotContain(other, references);
        Assert.DoesNotContain(references, r => r.StartsWith("libtorch-", StringComparison.Ordinal));
    }

    // The check runs before NuGet collects the package references: the same target a restore runs, without restoring.
    [Fact]
    public void Given_an_unknown_backend_When_the_package_references_are_collected_Then_the_project_refuses_it()
    {
        var refused = MSBuild("lib/AeCourse/AeCourse.csproj", "-t:CollectPackageReferences", "-p:AeCourseBackend=rocm");
        var accepted = MSBuild("lib/AeCourse/AeCourse.csproj", "-t:CollectPackageReferences", "-p:AeCourseBackend=cuda");

        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("AeCourseBackend is 'rocm'; use cpu (default) or cuda.", refused.Stdout + refused.Stderr);
        Assert.True(accepted.ExitCode == 0, accepted.ToString());
    }

    // NuGet's own restore graph (the file `dotnet restore` hands NuGet) for the CLI: its project references and, for each,
    // the packages with the versions central package management gives them. Written without restoring anything. It
    // shows the backend property reaching the library through the CLI's ProjectReference.
    [Theory]
    [InlineData("cuda", "TorchSharp-cuda-linux", "TorchSharp-cpu")]
    [InlineData("cpu", "TorchSharp-cpu", "TorchSharp-cuda-linux")]
    public void Given_a_backend_When_NuGet_plans_the_CLIs_restore_Then_the_library_under_it_asks_for_that_TorchSharp(string backend, string expected, string other)
    {
        var graphFile = _dir["restore-graph.json"];
        var run = MSBuild("lib/AeCourse.Cli/AeCourse.Cli.csproj", "-t:GenerateRestoreGraphFile", $"-p:RestoreGraphOutputPath={graphFile}", $"-p:AeCourseBackend={backend}");
        Assert.True(run.ExitCode == 0, run.ToString());
        var projects = JsonNode.Parse(File.ReadAllText(graphFile))!["projects"]!.AsObject();
        var cli = projects.Single(p => p.Key.EndsWith("AeCourse.Cli.csproj", StringComparison.Ordinal)).Value!;
        var library = projects.Single(p => p.Key.EndsWith(Path.Combine("AeCourse", "AeCourse.csproj"), StringComparison.Ordinal));
        var dependencies = library.Value!["frameworks"]!["net10.0"]!["dependencies"]!.AsObject();

        Assert.Contains(library.Key, cli["restore"]!["frameworks"]!["net10.0"]!["projectReferences"]!.AsObject().Select(r => r.Key));
        Assert.Equal("[0.107.0, )", Text(dependencies[expected]?["version"]));
        Assert.False(dependencies.ContainsKey(other), $"{other} is restored too");
    }

    // ---- helpers ----

    /// <summary>What the Dev Containers CLI makes of a workspace's devcontainer.json: its run, and the configuration.</summary>
    static (ToolRun Run, JsonNode? Configuration) ReadConfiguration(string workspace)
    {
        // The CLI asks Docker whether the workspace's container exists; /bin/true answers with nothing, read as "none",
        // so no Docker engine is needed.
        var run = Npm.Value.Node(Npm.Value.Resolve("@devcontainers/cli", "devcontainer.js"), "read-configuration",
                                 "--workspace-folder", workspace, "--docker-path", "/bin/true");
        return (run, run.ExitCode == 0 ? JsonNode.Parse(run.Stdout)!["configuration"] : null);
    }

    /// <summary>How a configuration differs from what the kit's devcontainer must be: nothing when it is right.</summary>
    static List<string> Problems(JsonNode? configuration)
    {
        var problems = new List<string>();
        void Expect(string path, JsonNode? value, string expected)
        {
            if (Text(value) != expected) problems.Add($"{path} is {value?.ToJsonString() ?? "missing"}, not \"{expected}\"");
        }
        Expect("build.dockerfile", configuration?["build"]?["dockerfile"], "Dockerfile");
        Expect("build.context", configuration?["build"]?["context"], "..");
        Expect("build.target", configuration?["build"]?["target"], "devcontainer");
        Expect("hostRequirements.gpu", configuration?["hostRequirements"]?["gpu"], "optional");
        Expect("remoteUser", configuration?["remoteUser"], "vscode");
        var extensions = (configuration?["customizations"]?["vscode"]?["extensions"] as JsonArray)?.Select(Text).ToList() ?? [];
        problems.AddRange(Extensions.Where(e => !extensions.Contains(e)).Select(e => $"extension {e} is not installed"));
        if (Text(configuration?["postCreateCommand"])?.Contains(".devcontainer/post-create.sh") != true)
            problems.Add("postCreateCommand does not run .devcontainer/post-create.sh");
        return problems;
    }

    /// <summary>jsonc-parser then Ajv on a file, through the tests' node script (run from the repository).</summary>
    static ToolRun Validate(string file) => Npm.Value.Node(Tools, "validate", Path.Combine(Checks, "devcontainer.schema.json"), file);

    /// <summary>A Dockerfile's stages as dockerfile-ast reads them; the run fails (exit 1) when dockerfile-utils finds a problem.</summary>
    static (ToolRun Run, IReadOnlyList<DockerStage> Stages) ReadDockerfile(string path)
    {
        var run = Npm.Value.Node(Tools, "dockerfile", path);
        Assert.True(run.ExitCode is 0 or 1, run.ToString());
        var stages = JsonNode.Parse(run.Stdout)!["stages"].Deserialize<List<DockerStage>>(new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        return (run, stages);
    }

    static IReadOnlyList<DockerStage> Stages() => ReadDockerfile(DockerfilePath).Stages;

    /// <summary>A workspace holding a copy of .devcontainer/ whose devcontainer.json is broken in one way.</summary>
    string BrokenCopy(string mutation)
    {
        var folder = Directory.CreateDirectory(_dir[Path.Combine(mutation.Replace(' ', '-'), ".devcontainer")]).FullName;
        foreach (var file in Directory.GetFiles(Folder)) File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        var text = File.ReadAllText(ConfigFile);
        var broken = mutation switch
        {
            "missing brace" => text.Remove(text.IndexOf('}', text.IndexOf("\"optional\"", StringComparison.Ordinal)), 1),
            "missing comma" => text.Replace("\"context\": \"..\",", "\"context\": \"..\""),
            "misspelled property" => text.Replace("\"remoteUser\":", "\"remoteUsr\":"),
            "gpu sometimes" => text.Replace("\"gpu\": \"optional\"", "\"gpu\": \"sometimes\""),
            "command as a number" => text.Replace("\"postCreateCommand\": \"bash .devcontainer/post-create.sh\"", "\"postCreateCommand\": 1"),
            _ => throw new ArgumentException(mutation),
        };
        Assert.NotEqual(text, broken);   // the mutation still applies to the file as it is now
        File.WriteAllText(Path.Combine(folder, "devcontainer.json"), broken);
        return Path.GetDirectoryName(folder)!;
    }

    static JsonNode Config() =>
        JsonNode.Parse(File.ReadAllText(ConfigFile), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })!;

    /// <summary>The words of every lifecycle command, whatever its form (string, array, or object of either).</summary>
    static IEnumerable<string> LifecycleWords(JsonNode config)
    {
        string[] commands = ["initializeCommand", "onCreateCommand", "updateContentCommand", "postCreateCommand", "postStartCommand", "postAttachCommand"];
        static IEnumerable<string> Words(JsonNode? node) => node switch
        {
            JsonValue v => (Text(v) ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries),
            JsonArray a => a.SelectMany(Words),
            JsonObject o => o.SelectMany(p => Words(p.Value)),
            _ => [],
        };
        return commands.SelectMany(c => Words(config[c]));
    }

    static string? Text(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>A stage and the stages it starts from, back to the first.</summary>
    static IEnumerable<DockerStage> Ancestry(IReadOnlyList<DockerStage> stages, DockerStage stage)
    {
        for (DockerStage? s = stage; s is not null; s = stages.FirstOrDefault(p => p.Name == s.From)) yield return s;
    }

    static bool IsPinned(string image) =>
        image.Contains("@sha256:", StringComparison.Ordinal)
        || Regex.IsMatch(image, @":[^:/]*\d{8}[^:/]*$");

    static string[] BackendProperty(string? backend) => backend is null ? [] : [$"-p:AeCourseBackend={backend}"];

    /// <summary>dotnet msbuild on a project of the repository, from its root.</summary>
    static ToolRun MSBuild(string project, params string[] args) =>
        NpmTools.Run("dotnet", TestPaths.Repo, TimeSpan.FromMinutes(2), ["msbuild", project, "-nologo", .. args]);

    /// <summary>Shell scripts of the repository: *.sh, and files whose first line runs bash or sh.</summary>
    static IEnumerable<string> ScriptFiles()
    {
        string[] skipped = [".git", "bin", "obj", "node_modules", "artifacts", "out", "data", "TestResults"];
        var pending = new Stack<string>([TestPaths.Repo]);
        while (pending.TryPop(out var dir))
        {
            foreach (var sub in Directory.GetDirectories(dir).Where(d => !skipped.Contains(Path.GetFileName(d)))) pending.Push(sub);
            foreach (var file in Directory.GetFiles(dir).Order(StringComparer.Ordinal))
                if (file.EndsWith(".sh", StringComparison.Ordinal) || IsShellShebang(file)) yield return file;
        }
    }

    static bool IsShellShebang(string file)
    {
        using var reader = new StreamReader(file);
        var first = reader.ReadLine() ?? "";
        return first.StartsWith("#!", StringComparison.Ordinal) && (first.EndsWith("bash", StringComparison.Ordinal) || first.EndsWith("/sh", StringComparison.Ordinal));
    }
}

/// <summary>A build stage: its name (<c>AS name</c>, else its index), the image or stage it starts from, its instructions.</summary>
sealed record DockerStage(string Name, string From, IReadOnlyList<DockerInstruction> Instructions)
{
    public IEnumerable<DockerInstruction> All(string keyword) => Instructions.Where(i => i.Keyword == keyword);
}

/// <summary>An instruction: keyword, arguments (flags apart), flags (<c>--from=build</c>), and the exec form's strings.</summary>
sealed record DockerInstruction(string Keyword, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string?> Flags, IReadOnlyList<string>? Json)
{
    public string Text => string.Join(' ', Arguments);
}
