using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MicroComms.Messaging.Telemetry;

/// <summary>
/// Instances of one saga per state, from one grouped count of its table per collection. The state is the column
/// MassTransit's <c>InstanceState(x => x.CurrentState)</c> names by convention; a saga whose model has no string
/// <c>CurrentState</c> is counted under the state "any".
/// </summary>
internal sealed class SagaStateGauges<TSaga, TDbContext> : IStoreGauges
    where TSaga : class
    where TDbContext : DbContext
{
    private const string StateProperty = "CurrentState";

    private readonly IServiceScopeFactory _scopes;
    private readonly GaugeSnapshot<IReadOnlyList<(string State, int Count)>> _snapshot;
    private readonly string _saga = typeof(TSaga).Name;

    /// <summary>States seen before report 0 once empty, so a drained state reads 0 rather than vanishing.</summary>
    private readonly HashSet<string> _seen = [];

    public SagaStateGauges(IServiceScopeFactory scopes, ILogger<SagaStateGauges<TSaga, TDbContext>> logger)
    {
        _scopes = scopes;
        _snapshot = new GaugeSnapshot<IReadOnlyList<(string, int)>>($"the {typeof(TSaga).Name} saga table", Read, logger);
    }

    public void CreateInstruments(Meter meter) =>
        meter.CreateObservableGauge("microcomms.saga.instances", Measure, "{instance}", "Saga instances stored, per saga and state.");

    private IEnumerable<Measurement<int>> Measure()
    {
        if (_snapshot.Current is not { } states)
        {
            return [];
        }

        lock (_seen)
        {
            _seen.UnionWith(states.Select(s => s.State));
            var counts = states.ToDictionary(s => s.State, s => s.Count);
            return _seen.Select(state => new Measurement<int>(counts.GetValueOrDefault(state), new("saga", _saga), new("state", state))).ToList();
        }
    }

    private List<(string State, int Count)> Read()
    {
        using var scope = _scopes.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<TDbContext>();
        db.Database.SetCommandTimeout(GaugeSnapshot<object>.QueryTimeout);
        var sagas = db.Set<TSaga>().AsNoTracking();
        if (db.Model.FindEntityType(typeof(TSaga))?.FindProperty(StateProperty)?.ClrType != typeof(string))
        {
            return [("any", sagas.Count())];
        }

        return sagas.GroupBy(s => EF.Property<string>(s, StateProperty))
            .Select(g => new { g.Key, Count = g.Count() })
            .AsEnumerable()
            .Select(g => (g.Key, g.Count))
            .ToList();
    }
}
