using AeCourse.Runtime;
using AeCourse.Tests.Support;
using static TorchSharp.torch;

namespace AeCourse.Tests;

public sealed class RuntimeTests
{
    static string ShippedGlue => Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    [Fact]
    public void Given_a_seed_When_initialized_twice_Then_the_random_streams_restart_and_the_report_is_the_same()
    {
        var first = Setup.Initialize(seed: 7, quiet: true);
        var a = randn(5).data<float>().ToArray();
        var second = Setup.Initialize(seed: 7, quiet: true);
        var b = randn(5).data<float>().ToArray();

        Assert.Equal(a, b);
        Assert.Equal(first.ToString(), second.ToString());
        Assert.Equal(first.Native, second.Native);
        Assert.Contains("seed 7", first.ToString());
        Assert.Equal("cpu", first.Backend);
    }

    [Fact]
    public void Given_an_unknown_device_When_initializing_Then_the_error_names_it_and_the_choices()
    {
        var e = Assert.Throws<ArgumentException>(() => Setup.Initialize(device: "tpu", quiet: true));
        Assert.Contains("'tpu'", e.Message);
        Assert.Contains("cpu, cuda", e.Message);
    }

    [Fact]
    public void Given_the_cpu_backend_When_cuda_is_asked_for_Then_the_error_explains_how_to_get_it()
    {
        if (cuda.is_available()) return;   // only meaningful where no GPU is usable
        var e = Assert.Throws<ArgumentException>(() => Setup.Initialize(device: "cuda", quiet: true));
        Assert.Contains("AeCourseBackend=cuda", e.Message);
        Setup.Initialize(quiet: true);
    }

    [Fact]
    public void Given_the_loaded_backend_When_inspected_Then_the_compatibility_copy_is_used_exactly_when_versions_are_missing()
    {
        var info = Setup.Initialize(quiet: true);
        Assert.Equal(info.Native.MissingVersions.Count > 0, info.Native.CompatActive);
        if (info.Native.CompatActive)
        {
            var glue = ElfImage.Read(info.Native.CompatCopy!);
            Assert.All(glue.VersionNeeds().Where(n => info.Native.MissingVersions.Contains(n.Name)), n => Assert.True(n.IsWeak));
        }
    }

    [Fact]
    public void Given_torchsharps_glue_library_When_patched_Then_only_the_flag_of_glibcxx_3_4_32_changes()
    {
        using var dir = new TempDir();
        var copy = dir["libLibTorchSharp.so"];
        GlibcxxCompat.WriteCompatibleCopy(ShippedGlue, copy, ["GLIBCXX_3.4.32"]);

        var before = File.ReadAllBytes(ShippedGlue);
        var after = File.ReadAllBytes(copy);
        // The weak bit is bit 1 of one little-endian vna_flags field: one byte differs, by 0x02.
        var changed = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToList();
        Assert.Single(changed);
        Assert.Equal(0x02, before[changed[0]] ^ after[changed[0]]);

        var needs = ElfImage.Read(copy).VersionNeeds();
        Assert.True(needs.Single(n => n.Name == "GLIBCXX_3.4.32").IsWeak);
        Assert.All(needs.Where(n => n.Name != "GLIBCXX_3.4.32"), n => Assert.False(n.IsWeak));
        // The premise of the patch: no relocation binds a symbol to GLIBCXX_3.4.32.
        var image = ElfImage.Read(ShippedGlue);
        Assert.Equal(0, image.RelocationsUsingVersion(image.VersionNeeds().Single(n => n.Name == "GLIBCXX_3.4.32").Index));
    }

    [Fact]
    public void Given_a_version_that_relocations_use_When_asked_to_weaken_it_Then_the_patch_refuses()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<NotSupportedException>(() => GlibcxxCompat.WriteCompatibleCopy(ShippedGlue, dir["x.so"], ["GLIBCXX_3.4.9"]));
        Assert.Contains("GLIBCXX_3.4.9", e.Message);
        Assert.False(File.Exists(dir["x.so"]));
    }

    [Fact]
    public void Given_this_system_When_libstdcxx_is_read_Then_its_newest_glibcxx_version_is_found()
    {
        if (!OperatingSystem.IsLinux()) return;
        var path = LibStdCxx.LocatePath();
        Assert.NotNull(path);
        var versions = LibStdCxx.Versions(path);
        Assert.Contains("GLIBCXX_3.4", versions);
        Assert.Equal("GLIBCXX_3.4.30", LibStdCxx.HighestGlibcxx(["GLIBCXX_3.4.9", "GLIBCXX_3.4.30", "GLIBCXX_3.4.4", "CXXABI_1.3.13"]));
    }

    [Fact]
    public void Given_this_machine_When_the_doctor_runs_Then_it_exits_0_and_reports_each_check()
    {
        // A private cache holding a folder left by a build that no longer exists (its links dangle).
        using var cache = new TempDir();
        var stale = Path.Combine(cache.Path, "native", "torchsharp-0.107.0-0123456789abcdef");
        Directory.CreateDirectory(stale);
        File.CreateSymbolicLink(Path.Combine(stale, "libtorch_cpu.so"), "/nonexistent/libtorch_cpu.so");

        var result = AeCourseCommand.Run(new Dictionary<string, string> { ["AECOURSE_CACHE"] = cache.Path }, "doctor");

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);
        Assert.Contains("TorchSharp: 0.107.0, libtorch 2.10.0", result.Stdout);
        Assert.Contains("[ok  ] autograd", result.Stdout);
        Assert.Contains("[ok  ] data", result.Stdout);
        Assert.Contains("doctor: ready", result.Stdout);
        if (NativeLoader.Inspect().MissingVersions.Count > 0)
        {
            // The compatibility copy went to the private cache, and the stale folder was cleared away.
            Assert.Contains(cache.Path, result.Stdout);
            Assert.False(Directory.Exists(stale));
        }
    }

    [Fact]
    public void Given_an_old_libstdcxx_When_the_compatibility_path_is_switched_off_Then_loading_fails_and_the_doctor_says_so()
    {
        var missing = NativeLoader.Inspect().MissingVersions;
        if (missing.Count == 0) return;   // a GCC 13+ system loads TorchSharp as shipped: nothing to show
        using var emptyPackages = new TempDir();
        // An empty NuGet folder stops TorchSharp's own fallback (copying every native library beside itself) early.
        var result = AeCourseCommand.Run(new Dictionary<string, string> { ["AECOURSE_NATIVE_COMPAT"] = "off", ["NUGET_PACKAGES"] = emptyPackages.Path }, "doctor");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("DISABLED", result.Stdout);
        Assert.Contains("[FAIL] TorchSharp", result.Stdout);
    }
}
