using MicroComms.Testing;

namespace MicroComms.Tests.Sagas;

public abstract class SagaRepository_Specs(TestStore store) : StoreSpecs(store)
{
    private const int Increments = 50;

    [Fact]
    public async Task A_saga_is_created_moves_through_its_states_and_is_deleted_when_finalized()
    {
        await using var host = await CounterHost.Start(Database);
        var id = Guid.NewGuid();

        await host.Publish(new StartCounter(id, "alpha"));
        Assert.True(await host.Harness.Consumed.Any<StartCounter>(x => x.Context.Message.CounterId == id));
        var created = await host.Read(id);
        Assert.NotNull(created);
        Assert.Equal("Active", created.CurrentState);
        Assert.Equal("alpha", created.Name);
        Assert.Equal(1, created.Version);

        await host.Publish(new IncrementCounter(id));
        await host.Publish(new IncrementCounter(id));
        Assert.Equal(2, (await host.WaitForChanges(id, 2)).Count);
        var updated = await host.Read(id);
        Assert.NotNull(updated);
        Assert.Equal(2, updated.Count);
        Assert.Equal(3, updated.Version);

        await host.Publish(new FinishCounter(id));
        Assert.True(await host.Harness.Consumed.Any<FinishCounter>(x => x.Context.Message.CounterId == id));
        Assert.Null(await host.Read(id));
    }

    [Fact]
    public async Task An_event_correlated_by_expression_updates_only_the_matching_saga()
    {
        await using var host = await CounterHost.Start(Database);
        var alpha = Guid.NewGuid();
        var beta = Guid.NewGuid();

        await host.Publish(new StartCounter(alpha, "alpha"));
        await host.Publish(new StartCounter(beta, "beta"));
        Assert.True(await host.Harness.Consumed.Any<StartCounter>(x => x.Context.Message.CounterId == alpha));
        Assert.True(await host.Harness.Consumed.Any<StartCounter>(x => x.Context.Message.CounterId == beta));

        await host.Publish(new TagCounter("beta", "blue"));
        Assert.True(await host.Harness.Consumed.Any<TagCounter>());

        var tagged = await host.Read(beta);
        Assert.NotNull(tagged);
        Assert.Equal("blue", tagged.Tag);
        Assert.Equal(2, tagged.Version);
        var untouched = await host.Read(alpha);
        Assert.NotNull(untouched);
        Assert.Null(untouched.Tag);
    }

    [Fact]
    public async Task Many_concurrent_events_for_one_new_saga_each_apply_exactly_once()
    {
        await using var host = await CounterHost.Start(Database);
        var id = Guid.NewGuid();

        // None of them finds the saga at first: they race the insert, then each other's updates.
        await Task.WhenAll(Enumerable.Range(0, Increments).Select(_ => host.Publish(new IncrementCounter(id))));

        var counts = await host.WaitForChanges(id, Increments);
        Assert.Equal(Enumerable.Range(1, Increments), counts.Order());
        var saga = await host.Read(id);
        Assert.NotNull(saga);
        Assert.Equal(Increments, saga.Count);
        Assert.Equal(Increments, saga.Version);
        Assert.Equal(1, await host.CountRows(id));
        Assert.True(host.Conflicts.Count > 0, "the increments never raced, so the test proves nothing");
    }

    [Fact]
    public async Task A_saga_persisted_by_one_host_is_completed_by_the_next_host_on_the_same_database()
    {
        var id = Guid.NewGuid();
        await using (var first = await CounterHost.Start(Database))
        {
            await first.Publish(new StartCounter(id, "alpha"));
            await first.Publish(new IncrementCounter(id));
            Assert.Single(await first.WaitForChanges(id, 1));
        }

        await using var second = await CounterHost.Start(Database);
        await second.Publish(new IncrementCounter(id));
        Assert.Equal([2], await second.WaitForChanges(id, 1));

        await second.Publish(new FinishCounter(id));
        Assert.True(await second.Harness.Consumed.Any<FinishCounter>(x => x.Context.Message.CounterId == id));
        Assert.Equal(0, await second.CountRows(id));
    }
}

public sealed class SagaRepository_Specs_on_Sqlite() : SagaRepository_Specs(TestStore.Sqlite);

[Trait("Needs", "Postgres")]
public sealed class SagaRepository_Specs_on_Postgres(PostgresFixture postgres) : SagaRepository_Specs(postgres.Store), IClassFixture<PostgresFixture>;
