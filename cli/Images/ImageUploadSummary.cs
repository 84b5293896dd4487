using Berth.Cli.Uploads;

namespace Berth.Cli.Images;

/// <summary>What an image upload did, for the closing line.</summary>
public sealed record ImageUploadSummary(int BlobsSent, int BlobsSkipped, long BytesSent, int ManifestsImported, int Tags, TimeSpan Elapsed)
{
    public override string ToString() =>
        $"sent {Quantity.Of(BlobsSent, "blob")} ({TransferProgress.Size(BytesSent)}), skipped {BlobsSkipped} the repository had, " +
        $"imported {Quantity.Of(ManifestsImported, "manifest")}, set {Quantity.Of(Tags, "tag")} in {Elapsed.TotalSeconds:F1} s";
}
