using System.IO.Compression;
using AeCourse.Data;
using AeCourse.Tests.Support;

namespace AeCourse.Tests;

public sealed class IdxFileTests : IDisposable
{
    readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    static IdxArray SampleImages()
    {
        var bytes = new byte[3 * 4 * 5];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)(i * 7);
        return IdxArray.FromBytes(bytes, 3, 4, 5);
    }

    [Theory]
    [InlineData("images.idx")]
    [InlineData("images.idx.gz")]
    public void Given_an_array_When_written_and_read_back_Then_type_shape_and_payload_are_equal(string name)
    {
        var original = SampleImages();
        IdxFile.Write(_dir[name], original);
        var read = IdxFile.Read(_dir[name]);
        Assert.Equal(original.Type, read.Type);
        Assert.Equal(original.Shape, read.Shape);
        Assert.Equal(original.Payload, read.Payload);
    }

    [Fact]
    public void Given_a_gz_name_When_written_Then_the_file_is_gzip_and_a_raw_name_is_not()
    {
        IdxFile.Write(_dir["a.gz"], SampleImages());
        IdxFile.Write(_dir["a.idx"], SampleImages());
        Assert.Equal(new byte[] { 0x1f, 0x8b }, File.ReadAllBytes(_dir["a.gz"])[..2]);
        // Raw IDX starts with the magic number: 00 00 08 03 for unsigned bytes of rank 3.
        Assert.Equal(new byte[] { 0, 0, 8, 3 }, File.ReadAllBytes(_dir["a.idx"])[..4]);
    }

    [Fact]
    public void Given_big_endian_int32_elements_When_round_tripped_Then_the_bytes_are_kept()
    {
        var payload = new byte[] { 0, 0, 1, 0, 0xff, 0xff, 0xff, 0xfe };   // 256 and -2, big-endian
        IdxFile.Write(_dir["ints.idx"], new IdxArray(IdxType.Int32, [2], payload));
        var read = IdxFile.Read(_dir["ints.idx"]);
        Assert.Equal(IdxType.Int32, read.Type);
        Assert.Equal(payload, read.Payload);
    }

    [Fact]
    public void Given_a_bad_magic_number_When_read_Then_the_error_names_the_file_and_the_bytes()
    {
        File.WriteAllBytes(_dir["bad.idx"], [0x12, 0x34, 0x08, 0x03, 0, 0, 0, 0]);
        var e = Assert.Throws<IdxFormatException>(() => IdxFile.Read(_dir["bad.idx"]));
        Assert.Contains(_dir["bad.idx"], e.Message);
        Assert.Contains("bad magic number 12 34 08 03", e.Message);
    }

    [Fact]
    public void Given_a_truncated_file_When_read_Then_the_error_says_at_which_byte()
    {
        IdxFile.Write(_dir["full.idx"], SampleImages());
        var bytes = File.ReadAllBytes(_dir["full.idx"]);
        File.WriteAllBytes(_dir["cut.idx"], bytes[..50]);
        var e = Assert.Throws<IdxFormatException>(() => IdxFile.Read(_dir["cut.idx"]));
        // Header 16 bytes + 60 pixels = 76 expected; 50 present.
        Assert.Contains("truncated at byte 50", e.Message);
        Assert.Contains("needs 76 bytes", e.Message);
        Assert.Contains(_dir["cut.idx"], e.Message);
    }

    [Fact]
    public void Given_a_header_cut_short_When_read_Then_the_error_says_the_header_is_incomplete()
    {
        File.WriteAllBytes(_dir["head.idx"], [0, 0, 8, 3, 0, 0, 0, 3, 0]);
        var e = Assert.Throws<IdxFormatException>(() => IdxFile.Read(_dir["head.idx"]));
        Assert.Contains("truncated at byte 9", e.Message);
        Assert.Contains("header of rank 3 needs 16 bytes", e.Message);
    }

    [Fact]
    public void Given_extra_bytes_after_the_data_When_read_Then_the_error_counts_them()
    {
        IdxFile.Write(_dir["ok.idx"], SampleImages());
        File.WriteAllBytes(_dir["long.idx"], [.. File.ReadAllBytes(_dir["ok.idx"]), 1, 2, 3]);
        var e = Assert.Throws<IdxFormatException>(() => IdxFile.Read(_dir["long.idx"]));
        Assert.Contains("3 unexpected bytes after the data", e.Message);
    }

    [Fact]
    public void Given_a_gz_name_on_raw_bytes_When_read_Then_the_error_says_not_gzip()
    {
        IdxFile.Write(_dir["raw.idx"], SampleImages());
        File.Copy(_dir["raw.idx"], _dir["fake.gz"]);
        var e = Assert.Throws<IdxFormatException>(() => IdxFile.Read(_dir["fake.gz"]));
        Assert.Contains("not gzip", e.Message);
        Assert.Contains(_dir["fake.gz"], e.Message);
    }

    [Fact]
    public void Given_a_gzip_stream_cut_in_the_middle_When_read_Then_it_is_reported_as_truncated_or_corrupt()
    {
        var big = IdxArray.FromBytes(Enumerable.Range(0, 100_000).Select(i => (byte)(i * 31 % 251)).ToArray(), 100_000);
        IdxFile.Write(_dir["big.gz"], big, CompressionLevel.Fastest);
        var bytes = File.ReadAllBytes(_dir["big.gz"]);
        File.WriteAllBytes(_dir["cut.gz"], bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<IdxFormatException>(() => IdxFile.Read(_dir["cut.gz"]));
        Assert.Contains(_dir["cut.gz"], e.Message);
        Assert.Matches("truncated|corrupt", e.Message);
    }

    [Fact]
    public void Given_gzip_data_corrupted_in_the_middle_When_read_Then_the_error_says_corrupt_and_how_far_it_got()
    {
        var big = IdxArray.FromBytes(Enumerable.Range(0, 100_000).Select(i => (byte)(i * 31 % 251)).ToArray(), 100_000);
        IdxFile.Write(_dir["big.gz"], big, CompressionLevel.Fastest);
        var bytes = File.ReadAllBytes(_dir["big.gz"]);
        for (int i = bytes.Length / 2; i < bytes.Length / 2 + 64; i++) bytes[i] = 0xff;   // an invalid run of deflate codes
        File.WriteAllBytes(_dir["bad.gz"], bytes);
        var e = Assert.Throws<IdxFormatException>(() => IdxFile.Read(_dir["bad.gz"]));
        Assert.Contains(_dir["bad.gz"], e.Message);
        Assert.Matches("corrupt gzip data .*; " + bytes.Length + " compressed bytes, [0-9]+ decompressed before the fault", e.Message);
    }

    [Theory]
    [InlineData("huge.idx")]
    [InlineData("huge.idx.gz")]
    public void Given_a_header_that_claims_more_than_the_file_holds_When_read_Then_it_is_refused_before_the_payload_is_made(string name)
    {
        // 2,000,000,000 bytes claimed, 10 present: a corrupt header must not make the reader ask for 2 GB.
        var bytes = new byte[] { 0, 0, 8, 1, 0x77, 0x35, 0x94, 0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
        if (name.EndsWith(".gz"))
        {
            using var file = File.Create(_dir[name]);
            using var gzip = new GZipStream(file, CompressionLevel.Fastest);
            gzip.Write(bytes);
        }
        else File.WriteAllBytes(_dir[name], bytes);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<IdxFormatException>(() => IdxFile.Read(_dir[name]));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "the reader allocated the claimed payload");
        Assert.Contains(_dir[name], e.Message);
        Assert.Contains("shape [2000000000] needs 2000000008 bytes", e.Message);
        Assert.Contains(name.EndsWith(".gz") ? "the gzip trailer gives the content as 18 bytes" : "truncated at byte 18", e.Message);
    }

    [Fact]
    public void Given_a_shape_whose_size_overflows_When_read_Then_the_error_says_it_is_too_large()
    {
        var bytes = new List<byte> { 0, 0, 0x0E, 8 };                                   // float64, rank 8
        for (int d = 0; d < 8; d++) bytes.AddRange(new byte[] { 0x7f, 0xff, 0xff, 0xff });   // 2^31 - 1 each
        File.WriteAllBytes(_dir["overflow.idx"], [.. bytes]);
        var e = Assert.Throws<IdxFormatException>(() => IdxFile.Read(_dir["overflow.idx"]));
        Assert.Contains("needs more bytes than one array holds", e.Message);
    }

    [Fact]
    public void Given_a_large_gzip_file_When_read_Then_the_payload_is_the_only_large_array_made()
    {
        // Bytes that do not compress, so the file is as large as the payload: reading it whole, decompressing it and
        // cutting off the header would allocate three times the payload.
        var payload = new byte[4_000_000];
        new Random(1).NextBytes(payload);
        IdxFile.Write(_dir["noise.gz"], IdxArray.FromBytes(payload, 4000, 1000), CompressionLevel.Fastest);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var read = IdxFile.Read(_dir["noise.gz"]);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(payload, read.Payload);
        // The payload, plus the buffers of the file and gzip streams (tens of kilobytes).
        Assert.InRange(allocated, payload.Length, payload.Length + 256 * 1024);
    }

    [Fact]
    public void Given_labels_that_do_not_match_the_images_When_checked_as_a_pair_Then_the_error_says_count_mismatch()
    {
        IdxFile.Write(_dir[SplitFiles.TrainImages], SampleImages());                          // 3 images
        IdxFile.Write(_dir[SplitFiles.TrainLabels], IdxArray.FromBytes([0, 1], 2));          // 2 labels
        var e = Assert.Throws<IdxFormatException>(() => DatasetFetcher.CheckPair(_dir.Path, SplitFiles.TrainImages, SplitFiles.TrainLabels, 10));
        Assert.Contains("count mismatch: 2 labels for 3 images", e.Message);
        Assert.Contains(SplitFiles.TrainLabels, e.Message);
    }

    [Fact]
    public void Given_a_write_that_fails_midway_When_the_target_existed_Then_the_old_file_is_intact_and_no_temporary_is_left()
    {
        IdxFile.Write(_dir["keep.idx"], SampleImages());
        var before = File.ReadAllBytes(_dir["keep.idx"]);
        var wrong = new IdxArray(IdxType.UInt8, [3, 4, 5], new byte[10]);   // payload too short: rejected before writing
        Assert.Throws<ArgumentException>(() => IdxFile.Write(_dir["keep.idx"], wrong));
        Assert.Throws<InvalidOperationException>(() => IO.AtomicFile.Write(_dir["keep.idx"], s => { s.WriteByte(1); throw new InvalidOperationException("disk full"); }));
        Assert.Equal(before, File.ReadAllBytes(_dir["keep.idx"]));
        Assert.Single(Directory.GetFiles(_dir.Path));
    }
}
