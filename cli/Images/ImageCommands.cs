using System.CommandLine;
using Berth.Cli.Repositories;
using Berth.Cli.Uploads;

namespace Berth.Cli.Images;

/// <summary><c>berth upload image PATH</c>: whole images from any of the formats <see cref="ImageSource"/> reads.</summary>
public static class ImageCommands
{
    public static Command UploadImage()
    {
        var repo = RepositoryReference.Option();
        var path = new Argument<string>("path")
        {
            Description = "A skopeo dir: folder, an OCI image layout folder, an oci-archive tar, or a docker save tar",
        };
        var tag = new Option<string?>("--tag", "-t") { Description = "Tag the image (for a layout: instead of its ref name; then only one image may be chosen)" };
        var reference = new Option<string?>("--ref") { Description = "From an OCI layout, only the image with this ref name (default: every image it names)" };
        var jobs = JobsOption();
        var chunkSize = UploadCommands.ChunkSizeOption();
        var command = new Command("image", "Upload a whole image: blobs (verified, skipping those the repository has, in parallel), manifests, lists, then tags")
        {
            repo, path, tag, reference, jobs, chunkSize,
        };
        CommandAction.Set(command, async (parse, client, output, cancellationToken) =>
        {
            var source = parse.GetValue(path)!;
            using var opened = await ImageSource.OpenAsync(source, parse.GetValue(reference), parse.GetValue(tag), cancellationToken);
            var image = opened.Image;
            var repository = await RepositoryFinder.FindAsync(client, parse.GetValue(repo)!, cancellationToken);
            var summary = await new ImageUploader(client, output, parse.GetValue(jobs), parse.GetValue(chunkSize))
                .UploadAsync(repository, source, image, opened.AbsentManifests, cancellationToken);
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

    public static Command Export()
    {
        var export = new Command("export", "Write content of a repository back to disk");
        var repo = RepositoryReference.Option();
        var reference = new Option<string>("--tag", "-t") { Description = "The tag (or digest) of the image", Required = true };
        var to = new Option<string>("--to")
        {
            Description = "dir:PATH (a skopeo dir: folder; one written before is emptied first) or oci:PATH (an OCI layout, which may hold other images; this one is named by its tag)",
            Required = true,
        };
        var jobs = JobsOption();
        var image = new Command("image", "Export an image (a list with all its manifests) so that skopeo copy dir:PATH or oci:PATH:TAG reads it") { repo, reference, to, jobs };
        CommandAction.Set(image, async (parse, client, output, cancellationToken) =>
        {
            var target = ExportTarget.Parse(parse.GetValue(to)!);
            var repository = await RepositoryFinder.FindAsync(client, parse.GetValue(repo)!, cancellationToken);
            output.Result(await new ImageExporter(client, output, parse.GetValue(jobs)).ExportAsync(repository, parse.GetValue(reference)!, target, cancellationToken));
        });
        export.Subcommands.Add(image);
        return export;
    }

    private static Option<int> JobsOption() => new("--jobs", "-j")
    {
        Description = "How many blobs to transfer at once",
        DefaultValueFactory = _ => 4,
        Validators = { r => { if (r.GetValueOrDefault<int>() < 1) { r.AddError("--jobs must be at least 1"); } } },
    };
}
