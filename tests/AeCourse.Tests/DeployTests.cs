using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AeCourse.Tests.Support;
using Xunit.Abstractions;

namespace AeCourse.Tests;

/// <summary>
/// Class-scale grading under <c>deploy/</c>, checked without a cluster or a runner by independent references, npm
/// packages at pinned versions (<c>tests/AeCourse.Tests/Deploy/*.mjs</c> says what each one covers): every YAML file
/// parses strictly; the Kubernetes manifests validate against the Kubernetes API's schemas and the GitHub workflow
/// against GitHub's own workflow parser; the shell scripts that turn a shard's index into <c>aecourse grade --shard
/// K/N</c> and list the parts to merge run for real, with stand-ins for the programs they call; each check refuses a
/// broken copy; and every grader command line uses only options the real <c>aecourse grade</c> accepts.
/// </summary>
public sealed partial class DeployTests(ITestOutputHelper output) : IDisposable
{
    static readonly string Deploy = Path.Combine(TestPaths.Repo, "deploy");
    static readonly string Kubernetes = Path.Combine(Deploy, "kubernetes");
    static readonly string Workflow = Path.Combine(Deploy, "github-actions", "grade-class.yml");
    static readonly Lazy<(NpmTools Tools, string Scripts)> Checks = new(InstallChecks);

    readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>
    /// The packages, and the check scripts copied beside them (Node resolves a script's imports from its own folder),
    /// into a folder named by the scripts' content, so test runs of different versions never share one.
    /// </summary>
    static (NpmTools, string) InstallChecks()
    {
        var tools = NpmTools.Install("yaml@2.9.1", "kubernetes-models@5.1.0", "@actions/workflow-parser@0.3.61", "@actions/expressions@0.3.61");
        var sources = Directory.GetFiles(Path.Combine(TestPaths.Repo, "tests", "AeCourse.Tests", "Deploy"), "*.mjs").Order(StringComparer.Ordinal).ToArray();
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Concat(sources.Select(File.ReadAllText)))))[..12];
        var scripts = Path.Combine(tools.Folder, "deploy-checks-" + hash);
        Directory.CreateDirectory(scripts);
        foreach (var source in sources) File.Copy(source, Path.Combine(scripts, Path.GetFileName(source)), overwrite: true);
        return (tools, scripts);
    }

    ToolRun Check(string script, params string[] args)
    {
        var (tools, scripts) = Checks.Value;
        var run = tools.Node([Path.Combine(scripts, script), .. args]);
        output.WriteLine($"{script} {string.Join(' ', args)}: {run}");
        return run;
    }

    /// <summary>The JSON a check prints when everything passed, after asserting that it did.</summary>
    JsonObject Passes(string script, params string[] args)
    {
        var run = Check(script, args);
        Assert.True(run.ExitCode == 0, $"{script} found problems:\n{run.Stderr}{run.Stdout}");
        return JsonNode.Parse(run.Stdout)!.AsObject();
    }

    void Refuses(string script, string expected, params string[] args)
    {
        var run = Check(script, args);
        Assert.True(run.ExitCode != 0, $"{script} accepted what it should refuse ({expected})");
        Assert.Contains(expected, run.Stderr);
    }

    /// <summary>A copy of <paramref name="text"/> with the first <paramref name="find"/> replaced.</summary>
    static string Mutate(string text, string find, string replace)
    {
        var at = text.IndexOf(find, StringComparison.Ordinal);
        Assert.True(at >= 0, $"the file no longer holds {find}: update this test");
        return string.Concat(text.AsSpan(0, at), replace, text.AsSpan(at + find.Length));
    }

    [Fact]
    public void Every_yaml_file_parses_strictly_all_documents_included()
    {
        var files = Directory.EnumerateFiles(Deploy, "*", SearchOption.AllDirectories).Where(f => f.EndsWith(".yaml") || f.EndsWith(".yml")).Order(StringComparer.Ordinal).ToArray();
        Assert.True(files.Length >= 4, $"expected the manifests and the workflow under {Deploy}, found {files.Length} YAML files");
        var documents = Passes("check-yaml.mjs", files)["documents"]!.AsObject();
        Assert.All(files, f => Assert.True(documents[f]!.GetValue<int>() >= 1, $"{f} holds no document"));
        Assert.Equal(2, documents[Path.Combine(Kubernetes, "grade-class.yaml")]!.GetValue<int>());
    }

    [Fact]
    public void A_duplicate_key_is_refused()
    {
        File.WriteAllText(_dir["duplicate.yaml"], "kind: Job\nspec:\n  completions: 2\n  completions: 3\n");
        Refuses("check-yaml.mjs", "Map keys must be unique", _dir["duplicate.yaml"]);
    }

    [Fact]
    public void The_kubernetes_manifests_validate_and_grade_every_shard_once()
    {
        var result = Passes("check-kubernetes.mjs", Kubernetes);
        Assert.Equal(20, result["shards"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("grade-class.yaml", "completions: 20", "completions: \"three\"", "spec/completions must be integer")]
    [InlineData("grade-class.yaml", "  completionMode: Indexed", "  completionMode: Indexed\n  completionMod: Indexed", "spec.completionMod: unknown field")]
    [InlineData("grade-class.yaml", "            procMount: Unmasked", "            procMount: Unmask", "procMount must be equal to one of the allowed values")]
    [InlineData("storage.yaml", "storage: 20Gi", "storage: 20 GiB", "must match format \"quantity\"")]
    [InlineData("grade-class.yaml", "    - Egress\n", "    - Egress\n  egress:\n    - {}\n", "egress rules let traffic reach or leave")]
    [InlineData("grade-class.yaml", "  policyTypes:\n    - Ingress\n", "  policyTypes:\n", "no network policy denies both its ingress and its egress")]
    [InlineData("grade-class.yaml", "shard=$((JOB_COMPLETION_INDEX + 1))", "shard=$((JOB_COMPLETION_INDEX))", "JOB_COMPLETION_INDEX=0 must grade --shard 1/20, not 0/20")]
    [InlineData("grade-class.yaml", "completions: 20", "completions: 21", "JOB_COMPLETION_INDEX=0 must grade --shard 1/21, not 1/20")]
    [InlineData("grade-class.yaml", "            - name: class\n              mountPath: /work/class\n              subPath: submitted\n              readOnly: true",
        "            - name: grades\n              mountPath: /work/class\n              subPath: submitted", "the class folder /work/class must be on a read-only mount")]
    [InlineData("merge.yaml", "- exec aecourse grade merge /work/out/grades-*-of-20.json", "- exec aecourse grade merge /work/out/grades-*.json", "not the 20 shards' parts")]
    [InlineData("grade-class.yaml", "            privileged: false", "            privileged: true", "container grader is privileged")]
    [InlineData("grade-class.yaml", "      automountServiceAccountToken: false", "      automountServiceAccountToken: true", "automountServiceAccountToken must be false")]
    [InlineData("grade-class.yaml", "      hostUsers: false", "      hostUsers: true", "hostUsers must be false")]
    [InlineData("grade-class.yaml", "            seccompProfile:\n              type: Unconfined", "            seccompProfile:\n              type: RuntimeDefault", "seccomp profile that allows unshare() and mount()")]
    [InlineData("grade-class.yaml", "              memory: 16Gi\n          securityContext", "              memory: 8Gi\n          securityContext", "limits.memory must hold --jobs × --memory")]
    public void A_broken_manifest_is_refused(string file, string find, string replace, string expected)
    {
        var copy = Directory.CreateDirectory(_dir["kubernetes"]).FullName;
        foreach (var f in Directory.GetFiles(Kubernetes)) File.Copy(f, Path.Combine(copy, Path.GetFileName(f)));
        File.WriteAllText(Path.Combine(copy, file), Mutate(File.ReadAllText(Path.Combine(Kubernetes, file)), find, replace));
        Refuses("check-kubernetes.mjs", expected, copy);
    }

    [Fact]
    public void The_workflow_validates_plans_shards_1_to_n_and_merges_them()
    {
        Passes("check-workflow.mjs", Workflow);
        // It is meant for the instructor's grading repository: not a workflow of this one.
        Assert.False(File.Exists(Path.Combine(TestPaths.Repo, ".github", "workflows", "grade-class.yml")));
    }

    [Theory]
    [InlineData("permissions:\n  contents: read", "permission:\n  contents: read", "Unexpected value 'permission'")]
    [InlineData("    runs-on: ubuntu-24.04\n    timeout-minutes: 5", "    runs-on: { os: ubuntu-24.04 }\n    timeout-minutes: 5", "Unexpected value 'os'")]
    [InlineData("        type: number", "        type: integer", "Unexpected value 'integer'")]
    [InlineData("${{ fromJSON(needs.plan.outputs.shards) }}", "${{ fromJSON(needs.plan.outputs.shards }}", "Unexpected symbol")]
    [InlineData("seq -s , 1 \"$SHARDS\"", "seq -s , 0 \"$SHARDS\"", "with shards = 20, the matrix shard is [0,1,")]
    [InlineData("[1-9] | [1-9][0-9] | [1-9][0-9][0-9]) ;;", "[0-9]*) ;;", "with shards = \"0\" the plan must fail")]
    [InlineData("    needs: [plan, grade]", "    needs: [plan]", "expected one job that needs grade (the merge)")]
    [InlineData("  contents: read", "  contents: write", "permissions must be read-only")]
    [InlineData("actions/upload-artifact@ea165f8d65b6e75b540449e92b4886f43607fa02", "actions/upload-artifact@v4", "must be pinned to a full commit")]
    [InlineData(":/work/class:ro\"", ":/work/class\"", "the class folder /work/class must be on a read-only mount")]
    [InlineData("docker run --rm --network none --cap-drop", "docker run --rm --cap-drop", "docker run needs --network none")]
    [InlineData("        run: sudo sysctl -w kernel.apparmor_restrict_unprivileged_userns=0", "        run: true", "must allow user namespaces")]
    [InlineData("if [ \"$QUICK\" = true ]; then quick=(--quick); fi", "quick=(--quick)", "--quick must follow the quick input")]
    [InlineData("name: grades-part-${{ matrix.shard }}", "name: grades-part", "its artifact name grades-part is another shard's")]
    [InlineData("\"$parts\"/grades-*-of-\"$SHARDS\".json", "\"$parts\"/grades-*.json", "not the 3 parts")]
    public void A_broken_workflow_is_refused(string find, string replace, string expected)
    {
        File.WriteAllText(_dir["grade-class.yml"], Mutate(File.ReadAllText(Workflow), find, replace));
        Refuses("check-workflow.mjs", expected, _dir["grade-class.yml"]);
    }

    /// <summary>
    /// The grader's argument lists, as the checks captured them from the manifests' and the workflow's scripts, use
    /// only what <c>aecourse grade --help</c> (and <c>grade merge --help</c>) lists, and between them everything
    /// class-scale grading needs.
    /// </summary>
    [Fact]
    public void Every_grader_command_line_uses_options_the_cli_accepts()
    {
        var invocations = new[] { Passes("check-kubernetes.mjs", Kubernetes), Passes("check-workflow.mjs", Workflow) }
            .SelectMany(r => r["invocations"]!.AsArray().Select(i => i!.AsArray().Select(a => a!.GetValue<string>()).ToArray()))
            .ToArray();
        var grade = Help("grade", "--help");
        var used = new HashSet<string>();
        var unknown = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var args in invocations)
        {
            Assert.Equal("grade", args[0]);
            var merge = args.Length > 1 && args[1] == "merge";
            if (merge)
            {
                used.Add("merge");
                if (!grade.Commands.Contains("merge")) { unknown.Add("`aecourse grade --help` lists no merge command, which deploy/ runs"); continue; }
            }
            var accepted = merge ? Help("grade", "merge", "--help").Options : grade.Options;
            foreach (var option in args.Where(a => a.StartsWith("--", StringComparison.Ordinal)))
            {
                used.Add(option);
                if (!accepted.Contains(option)) unknown.Add($"`aecourse {(merge ? "grade merge" : "grade")} --help` lists no {option}, which deploy/ uses");
            }
        }
        Assert.True(unknown.Count == 0, string.Join('\n', unknown));
        // A cluster or runner where the sandbox cannot start must fail, never grade unsandboxed.
        Assert.DoesNotContain("--no-sandbox", used);
        Assert.Subset(used, new HashSet<string> { "--source", "--shard", "--summary", "--feedback", "--quick", "--jobs", "merge" });
    }

    /// <summary>The options (long names) and subcommands a command's help lists.</summary>
    (HashSet<string> Options, HashSet<string> Commands) Help(params string[] args)
    {
        var help = AeCourseCommand.Run(args);
        output.WriteLine($"aecourse {string.Join(' ', args)}: exit {help.ExitCode}\n{help.Stdout}{help.Stderr}");
        Assert.Equal(0, help.ExitCode);
        var options = new HashSet<string>();
        var commands = new HashSet<string>();
        string section = "";
        foreach (var line in help.Stdout.Split('\n'))
        {
            if (Regex.IsMatch(line, @"^\S.*:\s*$")) { section = line.Trim(); continue; }
            // An entry: two spaces, its names (and argument), two or more spaces, its description.
            if (EntryNames().Match(line) is not { Success: true } entry) continue;
            if (section == "Options:") options.UnionWith(Regex.Matches(entry.Groups[1].Value, @"--[\w-]+").Select(m => m.Value));
            if (section == "Commands:") commands.Add(entry.Groups[1].Value.Split(' ')[0]);
        }
        return (options, commands);
    }

    [GeneratedRegex(@"^  (\S.*?)(?:\s{2,}|$)")]
    private static partial Regex EntryNames();
}
