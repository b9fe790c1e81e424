namespace MicroComms.Testing;

/// <summary>The checkout a test runs from: the folder above the test's build output that holds MicroComms.sln.</summary>
public static class RepositoryFolder
{
    /// <summary>The checkout's root folder; throws when the test does not run from a build inside a checkout.</summary>
    public static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MicroComms.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("MicroComms.sln not found above " + AppContext.BaseDirectory);
    }
}
