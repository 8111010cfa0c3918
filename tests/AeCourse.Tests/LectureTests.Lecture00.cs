namespace AeCourse.Tests;

public sealed partial class LectureTests
{
    [Fact]
    public void Given_lecture_00_When_run_quick_Then_the_set_up_is_sound_and_the_data_is_as_described()
    {
        var cells = RunQuick("00-getting-started.ipynb");
        var stdout = Stdout(cells);
        Assert.DoesNotContain("[FAIL]", stdout);                 // the doctor found nothing blocking
        Assert.Contains("500 images per class", stdout);           // the embedded subset: balanced, 500 a class
        // The text: "the mean pixel value is about 0.286" (0.2860 on the full set); the subset lands within 0.01.
        Assert.InRange(Number(stdout, @"mean pixel value (\d\.\d+)"), 0.276, 0.296);
        // The text: "a classifier that guesses scores 10%", and the summary: the nearest class mean scores 68.9% on the
        // subset's test images. Nothing random enters it (seeds 0, 1 and 2 all print 68.9%); the check's bar is 65%.
        Assert.Equal(10.0, Number(stdout, @"chance level: (\d+\.\d) ?%"));
        Assert.Equal(68.9, Number(stdout, @"nearest class mean: test accuracy (\d+\.\d) ?%"));
    }
}
