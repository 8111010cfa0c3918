using AeCourse.Grading;
using AeCourse.Notebooks.Grading;

namespace AeCourse.Cli.Hosting;

/// <summary>The kit's check library, as the grader is to know it: the AeCourse package's Check and CheckFailedException.</summary>
public static class KitChecks
{
    /// <summary>The library, for <see cref="GradeOptions.Checks"/>.</summary>
    public static CheckLibrary Library { get; } = new("AeCourse", [typeof(Check).FullName!, typeof(CheckFailedException).FullName!], typeof(CheckFailedException).FullName!);
}
