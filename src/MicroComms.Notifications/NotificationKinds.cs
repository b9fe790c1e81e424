namespace MicroComms.Notifications;

public static class NotificationKinds
{
    public const string OrderCompleted = "OrderCompleted";
    public const string OrderFaulted = "OrderFaulted";
}
