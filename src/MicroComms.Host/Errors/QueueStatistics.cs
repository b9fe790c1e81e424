namespace MicroComms.Host.Errors;

/// <summary>One queue as the management API reports it: depth, consumers, and messages per second in and out (sampled).</summary>
public sealed record QueueStatistics(string Name, long Messages, int Consumers, double InRate, double OutRate);
