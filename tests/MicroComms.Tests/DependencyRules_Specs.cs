using System.Reflection;
using System.Xml.Linq;
using MicroComms.Testing;

namespace MicroComms.Tests;

/// <summary>The dependency direction of ARCHITECTURE.md, checked on the compiled assemblies.</summary>
public sealed class DependencyRules_Specs
{
    private static readonly string[] Services =
        ["MicroComms.Orders", "MicroComms.Inventory", "MicroComms.Payments", "MicroComms.Notifications", "MicroComms.Gateway"];

    [Fact]
    public void Contracts_reference_nothing_but_the_runtime()
    {
        var references = References("MicroComms.Contracts");

        Assert.All(references, name => Assert.True(name is "System.Runtime" or "netstandard" || name.StartsWith("System.", StringComparison.Ordinal), name));
    }

    [Fact]
    public void Messaging_does_not_know_the_contracts_or_any_service()
    {
        var references = References("MicroComms.Messaging");

        Assert.DoesNotContain("MicroComms.Contracts", references);
        Assert.DoesNotContain(references, name => Services.Contains(name));
    }

    [Fact]
    public void Services_never_reference_each_other()
    {
        foreach (var service in Services)
        {
            var others = References(service).Where(name => Services.Contains(name)).ToList();
            Assert.True(others.Count == 0, $"{service} references {string.Join(", ", others)}");
            Assert.Contains("MicroComms.Contracts", References(service));
        }
    }

    [Fact]
    public void Messaging_does_not_reference_ASP_NET_Core()
    {
        Assert.DoesNotContain(References("MicroComms.Messaging"), name => name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));

        // An unused FrameworkReference leaves no trace in the compiled assembly, so the project file is read too.
        var project = Project(Path.Combine("src", "MicroComms.Messaging", "MicroComms.Messaging.csproj"));
        var aspNetCore = Items(project, "FrameworkReference", "PackageReference")
            .Where(include => include.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal))
            .ToList();
        Assert.True(aspNetCore.Count == 0, "MicroComms.Messaging references " + string.Join(", ", aspNetCore));
    }

    [Fact]
    public void No_test_project_references_another_or_compiles_its_files()
    {
        var testsFolder = Path.Combine(RepositoryFolder.Root(), "tests") + Path.DirectorySeparatorChar;
        foreach (var file in Directory.GetFiles(testsFolder, "*.csproj", SearchOption.AllDirectories))
        {
            var project = XDocument.Load(file);
            var name = Path.GetFileName(file);
            foreach (var reference in Items(project, "ProjectReference"))
            {
                var target = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, reference.Replace('\\', Path.DirectorySeparatorChar)));
                if (!target.StartsWith(testsFolder, StringComparison.Ordinal))
                {
                    continue;
                }

                var referenced = XDocument.Load(target);
                Assert.False(Property(referenced, "IsTestProject") == "true", $"{name} references the test project {Path.GetFileName(target)}");
                Assert.False(Property(referenced, "OutputType") == "Exe", $"{name} references {Path.GetFileName(target)}, an executable under tests/; run it as a process");
            }

            var linked = Items(project, "Compile").Where(include => include.Contains("..", StringComparison.Ordinal)).ToList();
            Assert.True(linked.Count == 0, $"{name} compiles files of another project: {string.Join(", ", linked)}");
        }
    }

    private static List<string> References(string assembly) =>
        Assembly.Load(assembly).GetReferencedAssemblies().Select(a => a.Name!).ToList();

    private static XDocument Project(string relativePath) => XDocument.Load(Path.Combine(RepositoryFolder.Root(), relativePath));

    private static IEnumerable<string> Items(XDocument project, params string[] itemTypes) =>
        project.Descendants()
            .Where(e => itemTypes.Contains(e.Name.LocalName))
            .Select(e => (string?)e.Attribute("Include"))
            .OfType<string>();

    private static string? Property(XDocument project, string name) =>
        project.Descendants(name).Select(e => e.Value.Trim()).LastOrDefault();
}
