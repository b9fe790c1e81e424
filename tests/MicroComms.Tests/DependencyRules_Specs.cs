using System.Reflection;

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

    private static List<string> References(string assembly) =>
        Assembly.Load(assembly).GetReferencedAssemblies().Select(a => a.Name!).ToList();
}
