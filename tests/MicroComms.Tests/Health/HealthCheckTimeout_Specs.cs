using MicroComms.Messaging.Health;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace MicroComms.Tests.Health;

/// <summary>A probe answers even when a dependency hangs: every check is cut off at <c>MicroComms:Health:CheckTimeout</c>.</summary>
public sealed class HealthCheckTimeout_Specs
{
    [Fact]
    public async Task A_check_that_never_answers_is_reported_Unhealthy_at_the_timeout_instead_of_holding_the_probe()
    {
        await using var gateway = await TestHosts.Gateway(
            new() { ["MicroComms:Health:CheckTimeout"] = "00:00:00.300" },
            s => s.AddHealthChecks().AddAsyncCheck(
                "hangs",
                async ct =>
                {
                    await Task.Delay(Timeout.InfiniteTimeSpan, ct);
                    return HealthCheckResult.Healthy();
                },
                [HealthTags.Ready]));
        var checks = gateway.Services.GetRequiredService<HealthCheckService>();

        // Bounded here too: without the timeout the report would never come, and the spec must fail rather than hang.
        var report = await checks.CheckHealthAsync(r => r.Tags.Contains(HealthTags.Ready)).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(HealthStatus.Unhealthy, report.Entries["hangs"].Status);
        Assert.Contains("timeout", report.Entries["hangs"].Description, StringComparison.OrdinalIgnoreCase);
    }
}
