using System.CommandLine;
using Berth.Cli.Importers;
using Berth.Cli.Uploads;
using Docker.Common.Digests;

namespace Berth.Cli.Images;

/// <summary><c>berth upload image PATH</c>: a whole image from a skopeo dir: folder or an OCI layout.</summary>
public static class ImageCommands
{
    public static Command UploadImage()
    {
        var repo = ImporterCommands.RepositoryOption();
        var path = new Argument<DirectoryInfo>("path") { Description = "A skopeo dir: folder or an OCI image layout folder" };
        var tag = new Option<string?>("--tag", "-t") { Description = "Tag the image (for a layout: instead of its ref name; then only one image may be chosen)" };
        var reference = new Option<string?>("--ref") { Description = "From an OCI layout, only the image with this ref name (default: every image it names)" };
        var jobs = new Option<int>("--jobs", "-j")
        {
            Description = "How many blobs to send at once",
            DefaultValueFactory = _ => 4,
            Validators = { r => { if (r.GetValueOrDefault<int>() < 1) { r.AddError("--jobs must be at least 1"); } } },
        };
        var chunkSize = UploadCommands.ChunkSizeOption();
        var command = new Command("image", "Upload a whole image: blobs (verified, skipping those the repository has, in parallel), manifests, lists, then tags")
        {
            repo, path, tag, reference, jobs, chunkSize,
        };
        CommandAction.Set(command, async (parse, client, output, cancellationToken) =>
        {
            var folder = parse.GetValue(path)!.FullName;
            var absent = new List<Digest>();
            LocalImageSet image;
            if (SkopeoDirReader.Recognises(folder))
            {
                if (parse.GetValue(reference) is not null)
                {
                    throw CliException.Usage("--ref chooses an image of an OCI layout; a skopeo dir: folder holds one");
                }

                image = SkopeoDirReader.Read(folder, parse.GetValue(tag), absent);
            }
            else if (OciLayoutReader.Recognises(folder))
            {
                image = OciLayoutReader.Read(folder, parse.GetValue(reference), parse.GetValue(tag), absent);
            }
            else
            {
                throw CliException.Usage($"{folder} is neither a skopeo dir: folder (version, manifest.json) nor an OCI layout (oci-layout, index.json)");
            }

            var summary = await new ImageUploader(client, output, parse.GetValue(jobs), parse.GetValue(chunkSize))
                .UploadAsync(parse.GetValue(repo)!, folder, image, absent, cancellationToken);
            output.Info(summary.ToString());
            foreach (var (name, digest) in image.Tags)
            {
                output.Result($"{name} {digest}");
            }

            if (image.Tags.Count == 0)
            {
                output.Result(image.Manifests[^1].Digest.ToString());
            }
        });
        return command;
    }
}
