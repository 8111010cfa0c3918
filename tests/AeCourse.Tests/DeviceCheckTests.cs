using AeCourse.Runtime;
using AeCourse.Tests.Support;

namespace AeCourse.Tests;

/// <summary>
/// The doctor's device report. No GPU is on the machines the tests run on, so the CUDA cases are exercised as far as
/// that allows: the report is a function of what libtorch and the driver's tool say, checked for every combination, and
/// the driver's tool is reached through a real process, here a script on PATH that prints what <c>nvidia-smi</c>
/// prints on a GPU host (its documented CSV form).
/// </summary>
public sealed class DeviceCheckTests
{
    const string H100 = "NVIDIA H100 80GB HBM3, 550.54.15, 81559";
    static readonly GpuInfo[] OneGpu = [new("NVIDIA H100 80GB HBM3", "550.54.15", 81559)];

    [Fact]
    public void Given_nvidia_smi_csv_When_parsed_Then_each_line_is_a_gpu()
    {
        var gpus = NvidiaSmi.Parse($"{H100}\nTesla T4, 535.104.05, 15360\n\n");
        Assert.Equal([OneGpu[0], new GpuInfo("Tesla T4", "535.104.05", 15360)], gpus);
        Assert.Equal("NVIDIA H100 80GB HBM3 (79.6 GiB, driver 550.54.15)", gpus[0].ToString());
        Assert.Empty(NvidiaSmi.Parse(""));
    }

    [Theory]
    [InlineData("No devices were found")]
    [InlineData("NVIDIA H100, 550.54.15, 81559 MiB")]
    public void Given_output_that_is_not_the_query_When_parsed_Then_the_line_is_quoted(string line)
    {
        var e = Assert.Throws<FormatException>(() => NvidiaSmi.Parse(line));
        Assert.Contains($"'{line}'", e.Message);
    }

    [Fact]
    public void Given_the_cuda_backend_and_a_usable_gpu_When_checked_Then_ok_with_its_model()
    {
        var check = Doctor.Device("cuda", 1, OneGpu, 16);
        Assert.Equal(HealthLevel.Ok, check.Level);
        Assert.Equal("CUDA: NVIDIA H100 80GB HBM3 (79.6 GiB, driver 550.54.15)", check.Detail);
        Assert.Equal("CUDA: 2 GPU(s)", Doctor.Device("cuda", 2, null, 16).Detail);
        Assert.EndsWith("(1 of them usable)", Doctor.Device("cuda", 1, [.. OneGpu, .. OneGpu], 16).Detail);
    }

    public static TheoryData<string, GpuInfo[]?, string, string> CpuCases => new()
    {
        { "cpu", null, "CPU (2 threads); CUDA not built (CPU backend)", "AeCourseBackend=cuda" },
        { "cpu", OneGpu, "the driver lists NVIDIA H100 80GB HBM3 (79.6 GiB, driver 550.54.15), but this build has the CPU backend", "rebuild with -p:AeCourseBackend=cuda" },
        { "cuda", null, "the CUDA backend is built but no GPU is visible", "--gpus all" },
        { "cuda", OneGpu, "the driver lists NVIDIA H100 80GB HBM3 (79.6 GiB, driver 550.54.15), but libtorch's CUDA cannot use it", "update the NVIDIA driver" },
    };

    [Theory]
    [MemberData(nameof(CpuCases))]
    public void Given_no_usable_gpu_When_checked_Then_a_note_says_which_part_is_missing_and_the_fix(string backend, GpuInfo[]? visible, string detail, string fix)
    {
        var check = Doctor.Device(backend, 0, visible, 2);
        Assert.Equal(HealthLevel.Note, check.Level);
        Assert.Contains(detail, check.Detail);
        Assert.Contains(fix, check.Fix);
    }

    [Fact]
    public void Given_a_gpu_the_driver_lists_and_the_cpu_build_When_the_doctor_runs_Then_it_says_to_rebuild_with_cuda()
    {
        using var bin = new TempDir();
        var tool = bin["nvidia-smi"];
        File.WriteAllText(tool, $"#!/bin/sh\n[ \"$*\" = \"{NvidiaSmi.Arguments}\" ] || exit 9\necho '{H100}'\n");
        if (OperatingSystem.IsWindows()) return;   // the doctor reads nvidia-smi on Linux hosts
        File.SetUnixFileMode(tool, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var path = $"{bin.Path}:{Environment.GetEnvironmentVariable("PATH")}";

        var result = AeCourseCommand.Run(new Dictionary<string, string> { ["PATH"] = path }, "doctor");

        Assert.True(result.ExitCode == 0, result.Stdout + result.Stderr);   // a note, not a blocking problem
        Assert.Contains("[note] device: CPU", result.Stdout);
        Assert.Contains("the driver lists NVIDIA H100 80GB HBM3 (79.6 GiB, driver 550.54.15), but this build has the CPU backend", result.Stdout);
        Assert.Contains("fix: rebuild with -p:AeCourseBackend=cuda", result.Stdout);
    }

    [Fact]
    public void Given_this_machine_without_a_driver_When_queried_Then_no_gpu_is_listed()
    {
        if (Environment.GetEnvironmentVariable("PATH")!.Split(':').Any(d => File.Exists(Path.Combine(d, "nvidia-smi")))) return;   // a GPU host
        Assert.Null(NvidiaSmi.Query());
    }
}
