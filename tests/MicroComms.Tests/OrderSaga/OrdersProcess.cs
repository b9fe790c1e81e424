using System.Globalization;
using MassTransit;
using MicroComms.Contracts;
using MicroComms.Host;
using MicroComms.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace MicroComms.Tests.OrderSaga;

/// <summary>
/// A MicroComms process composed exactly as the Host composes it (<see cref="MicroCommsApp"/>), on the in-memory
/// transport, with its SQLite files in a data folder of its own (<see cref="NewDataDirectory"/>) so a second process can take over. The services
/// it does not run are played by probe endpoints that count what reaches their queues.
/// </summary>
internal sealed class OrdersProcess : IAsyncDisposable
{
    private readonly WebApplication _app;

    private OrdersProcess(WebApplication app) => _app = app;

    public IBus Bus => _app.Services.GetRequiredService<IBus>();

    public IServiceProvider Services => _app.Services;

    public static string NewDataDirectory() =>
        TestFiles.Path($"orders-process-{Guid.NewGuid():N}");

    public static async Task<OrdersProcess> StartAsync(string services, string dataDirectory, Dictionary<string, string?>? settings = null)
    {
        var overrides = new Dictionary<string, string?>
        {
            ["MicroComms:Transport"] = "InMemory",
            ["MicroComms:Host:Services"] = services,
            ["MicroComms:Host:DataDirectory"] = dataDirectory,
            ["MicroComms:Host:Urls"] = "http://127.0.0.1:0",
            ["MicroComms:Host:GrpcUrl"] = "",
            ["ConnectionStrings:Scheduler"] = $"Data Source={Path.Combine(dataDirectory, "scheduler.db")}",
            ["MicroComms:Scheduler:PollInterval"] = "00:00:00.200",
            ["MicroComms:Retry:MinInterval"] = "00:00:00.010",
            ["MicroComms:Retry:MaxInterval"] = "00:00:00.050",
            ["MicroComms:Retry:IntervalDelta"] = "00:00:00.010",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? [])
        {
            overrides[key] = value;
        }

        var app = MicroCommsApp.Build(overrides);
        await app.StartAsync();
        return new OrdersProcess(app);
    }

    /// <summary>Counts every message of type <typeparamref name="T"/> reaching <paramref name="queue"/> (a service's queue this process does not run, or a subscription).</summary>
    public async Task<Signal> ProbeAsync<T>(string queue, Func<T, bool>? filter = null)
        where T : class
    {
        var signal = new Signal();
        var handle = Bus.ConnectReceiveEndpoint(queue, e => e.Handler<T>(context =>
        {
            if (filter is null || filter(context.Message))
            {
                signal.Add();
            }

            return Task.CompletedTask;
        }));
        await handle.Ready;
        return signal;
    }

    public async Task<OrderStatus> StatusAsync(Guid orderId)
    {
        var response = await Bus.CreateRequestClient<GetOrderStatus>(new Uri("queue:get-order-status"))
            .GetResponse<OrderStatus, OrderNotFound>(new GetOrderStatus(orderId));
        Assert.True(response.Is(out Response<OrderStatus>? status), $"Order {orderId} is not known.");
        return status.Message;
    }

    public async Task<int> AvailableAsync(string sku)
    {
        var response = await Bus.CreateRequestClient<CheckStock>(new Uri("queue:check-stock")).GetResponse<StockLevel>(new CheckStock(sku));
        return response.Message.Available;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>A count that can be awaited.</summary>
    internal sealed class Signal
    {
        private readonly Lock _gate = new();
        private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];
        private int _count;

        public int Count
        {
            get
            {
                lock (_gate)
                {
                    return _count;
                }
            }
        }

        public void Add()
        {
            lock (_gate)
            {
                _count++;
                foreach (var waiter in _waiters.Where(w => w.Count <= _count).ToList())
                {
                    waiter.Done.TrySetResult();
                    _waiters.Remove(waiter);
                }
            }
        }

        public Task WaitForAsync(int expected, TimeSpan timeout)
        {
            lock (_gate)
            {
                if (_count >= expected)
                {
                    return Task.CompletedTask;
                }

                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiters.Add((expected, done));
                return done.Task.WaitAsync(timeout);
            }
        }
    }

    public static string Format(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);
}
