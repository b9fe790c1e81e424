using MicroComms.Gateway;

namespace MicroComms.Host.Demo;

public sealed record DemoOrder(int Number, DemoOrderKind Kind, PlaceOrderRequest Request);
