using System.CommandLine;
using AsyncFetcher.Core.Output;

namespace AsyncFetcher.Cli.Commands;

/// <summary>
/// <c>asyncfetch merge a.jsonl b.jsonl -o all.jsonl</c>: the workers' outputs of a shared crawl as one
/// record per URL (see <see cref="RecordMerger"/> for which record is kept).
/// </summary>
internal static class MergeCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("files") { Description = "JSONL outputs of the workers of one crawl", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--output", "-o") { Description = "Write the merged records to FILE (default: standard output)" };
        var command = new Command("merge", "Merge the JSONL outputs of a shared crawl's workers into one record per URL") { files, output };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(files) ?? [], parse.GetValue(output), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string[] files, string? output, CancellationToken cancellationToken)
    {
        var readers = new List<(string Name, TextReader Reader)>();
        try
        {
            foreach (var file in files)
            {
                try
                {
                    readers.Add((file, new StreamReader(file)));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
                {
                    return ExitCodes.Usage($"cannot read '{file}': {(e is FileNotFoundException ? "no such file" : e.Message)}");
                }
            }
            var toStdout = string.IsNullOrEmpty(output) || output == "-";
            TextWriter writer;
            try
            {
                // Written to a temporary file and moved at the end, so "-o a.jsonl" with a.jsonl among the inputs works.
                writer = toStdout ? Console.Out : new StreamWriter(output + ".partial", append: false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException)
            {
                return ExitCodes.Fatal($"cannot write '{output}': {e.Message}");
            }
            MergeCounts counts;
            await using (toStdout ? null : writer)
            {
                counts = await RecordMerger.MergeAsync(readers, writer, warning => Console.Error.WriteLine($"asyncfetch: warning: {warning}"), cancellationToken);
            }
            if (!toStdout)
            {
                File.Move(output + ".partial", output!, overwrite: true);
            }
            Console.Error.WriteLine($"asyncfetch: {counts.Read} record(s) from {files.Length} file(s): {counts.Written} URL(s), {counts.Duplicates} duplicate(s) dropped");
            return ExitCodes.Ok;
        }
        finally
        {
            foreach (var (_, reader) in readers)
            {
                reader.Dispose();
            }
        }
    }
}
