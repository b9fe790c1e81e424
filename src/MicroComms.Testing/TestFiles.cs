namespace MicroComms.Testing;

/// <summary>
/// Where tests keep their SQLite files: one folder per test process under the temp folder, deleted when that process
/// exits. (Files named straight under the temp folder outlived their runs: 600 MB of databases had piled up.)
/// </summary>
public static class TestFiles
{
    private static readonly Lazy<string> Folder = new(() =>
    {
        var folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "microcomms-tests", $"run-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(folder);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: a file still being written is left for the next look at the temp folder.
            }
        };
        return folder;
    });

    /// <summary>A path in this process's folder; <paramref name="name"/> should be unique (a Guid in it).</summary>
    public static string Path(string name) => System.IO.Path.Combine(Folder.Value, name);
}
