using AeCourse.Data;
using AeCourse.Models;
using AeCourse.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace AeCourse.Tests;

public sealed class BatchedTests
{
    public BatchedTests() => Setup.Initialize(seed: 0, device: "cpu", quiet: true);

    static long LiveTensors => DisposeScopeManager.Statistics.ThreadTotalLiveCount;

    [Fact]
    public void Given_a_classifier_in_eval_mode_When_mapped_in_batches_Then_it_gives_what_one_pass_gives()
    {
        using var classifier = new ImageClassifier();
        classifier.eval();
        using var generator = new Generator(3);
        using var x = rand([103, 1, 28, 28], generator: generator);
        using Tensor whole = classifier.forward(x).detach(), mapped = Batched.Map(x, classifier.forward, batchSize: 25);

        Assert.Equal(whole.shape, mapped.shape);   // [103, 10]: four batches of 25 and one of 3
        // Each row's logits come from that row alone; batching may change only the order of a convolution's float
        // sums, so the two agree to float32 rounding (logits of order 0.1, rounding of order 1e-8).
        Assert.True(whole.allclose(mapped, rtol: 1e-5, atol: 1e-6), $"largest difference {(whole - mapped).abs().max().item<float>()}");
    }

    [Fact]
    public void Given_a_function_When_mapped_Then_no_gradient_is_kept_and_no_intermediate_outlives_the_call()
    {
        using var w = ones([4, 2], requires_grad: true);
        using var x = arange(0f, 40f).view(10, 4);
        long before = LiveTensors;
        using var y = Batched.Map(x, batch => (batch * 2).matmul(w) + 1, batchSize: 3);

        Assert.Equal(before + 1, LiveTensors);   // the result, nothing else
        Assert.False(y.requires_grad);
        // Row i of x is 4i, 4i+1, 4i+2, 4i+3: twice their sum, plus 1, in both columns.
        var expected = Enumerable.Range(0, 10).Select(i => 2f * (16 * i + 6) + 1).ToArray();
        Assert.Equal(expected, y[.., 0].data<float>().ToArray());
        Assert.Equal(expected, y[.., 1].data<float>().ToArray());
    }

    [Fact]
    public void Given_bad_arguments_When_mapped_Then_the_error_names_what_is_wrong()
    {
        using var x = zeros(6, 3);
        var size = Assert.Throws<ArgumentOutOfRangeException>(() => Batched.Map(x, b => b, batchSize: 0));
        Assert.Equal("batchSize", size.ParamName);
        var rows = Assert.Throws<ArgumentException>(() => Batched.Map(x, b => b.sum(), batchSize: 4));
        Assert.Contains("f gave [] for a batch of 4 rows", rows.Message);
        var scalar = Assert.Throws<ArgumentException>(() => Batched.Map(tensor(1f), b => b));
        Assert.Contains("single number", scalar.Message);
    }

    [Fact]
    public void Given_no_rows_When_mapped_Then_the_result_has_no_rows_and_the_shape_f_gives()
    {
        using var x = zeros(0, 3);
        using var w = ones(3, 5);
        using var y = Batched.Map(x, b => b.matmul(w), batchSize: 4);
        Assert.Equal([0L, 5L], y.shape);
    }
}
