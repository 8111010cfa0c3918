namespace AeCourse.Tests;

public sealed partial class LectureTests
{
    [Fact]
    public void Given_lecture_02_When_run_quick_Then_the_convolutional_autoencoder_wins_and_the_maps_keep_neighbours()
    {
        var stdout = Stdout(RunQuick("02-conv-autoencoder.ipynb"));
        // The text: quick mode ends near 0.022 (convolutional) and 0.028 (dense); the key claim is the order.
        double conv = Number(stdout, @"convolutional (\d\.\d+)"), dense = Number(stdout, @"dense (\d\.\d+)");
        Assert.True(conv < dense, $"convolutional {conv} against dense {dense}");
        Assert.InRange(conv, 0.019, 0.025);
        Assert.InRange(dense, 0.025, 0.031);
        // Nearest neighbours of the same class: t-SNE's map keeps more of the code's neighbourhoods than PCA's.
        double pca = Number(stdout, @"PCA map (\d+) ?%"), tsne = Number(stdout, @"t-SNE map (\d+) ?%"), code = Number(stdout, @"32-number code (\d+) ?%");
        Assert.True(tsne > pca && code > pca, $"PCA {pca}%, t-SNE {tsne}%, code {code}%");
    }
}
