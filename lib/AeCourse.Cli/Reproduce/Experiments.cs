namespace AeCourse.Cli.Reproduce;

/// <summary>Every reference setup, in the order of the lectures.</summary>
static class Experiments
{
    public static IReadOnlyList<Experiment> All { get; } =
    [
        .. AutoencoderExperiments.All.Take(4),
        ProbeExperiment.Definition,
        RotationProbeExperiment.Definition,
        .. AutoencoderExperiments.All.Skip(4),
        .. VaeExperiments.All,
        DcganExperiment.Definition,
        ConditionalDcganExperiment.Definition,
    ];

    public static Experiment? Find(string name) => All.FirstOrDefault(e => e.Name == name);
}
