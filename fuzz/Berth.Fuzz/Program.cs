using Berth.Fuzz;
using SharpFuzz;

// fuzz/run.sh is the way in; these verbs are what it (and a person replaying a finding) calls.
if (args is not [var verb, var name, ..] || FuzzTarget.All.FirstOrDefault(t => t.Name == name) is not { } target)
{
    Console.Error.WriteLine($"usage: Berth.Fuzz run|seeds DIR|dictionary FILE|replay FILE...|assemblies  TARGET  (targets: {string.Join(", ", FuzzTarget.All.Select(t => t.Name))})");
    return 2;
}

switch (verb)
{
    case "run":
        Fuzzer.OutOfProcess.Run(stream =>
        {
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            _ = target.Run(buffer.ToArray());
        });
        return 0;
    case "assemblies":
        Console.WriteLine(string.Join('\n', target.InstrumentedAssemblies));
        return 0;
    case "seeds" when args.Length == 3:
        Directory.CreateDirectory(args[2]);
        foreach (var (file, content) in target.Seeds())
        {
            File.WriteAllText(Path.Combine(args[2], file), content);
        }

        return 0;
    case "dictionary" when args.Length == 3:
        // afl-fuzz's dictionary format: one quoted token per line, with \ and " escaped and bytes as \xNN.
        File.WriteAllLines(args[2], target.Dictionary.Select((token, i) =>
            $"token{i}=\"{string.Concat(token.Select(c => c is '\\' or '"' || c < ' ' || c > '~' ? $"\\x{(int)c:x2}" : c.ToString()))}\""));
        return 0;
    case "replay":
        var failures = 0;
        foreach (var file in args.Skip(2))
        {
            try
            {
                var accepted = target.Run(File.ReadAllBytes(file));
                Console.WriteLine($"{(accepted ? "accepted" : "refused ")} {file}");
            }
            catch (Exception e)
            {
                failures++;
                Console.WriteLine($"FINDING {file}: {e.GetType().Name}: {e.Message}");
            }
        }

        return failures == 0 ? 0 : 1;
    default:
        Console.Error.WriteLine($"unknown verb '{verb}'");
        return 2;
}
