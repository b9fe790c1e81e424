namespace MicroComms.Messaging;

/// <summary>The RabbitMQ queue type of every receive endpoint and its <c>_error</c> / <c>_skipped</c> queues.</summary>
public enum QueueType
{
    /// <summary>RabbitMQ's default: the messages live on the one node that hosts the queue.</summary>
    Classic,

    /// <summary>
    /// Raft-replicated over the cluster's nodes and confirmed to the publisher once a majority has the message: survives
    /// the loss of a minority of nodes. The virtual host needs default queue type <c>quorum</c> too, so that a sender that
    /// declares a queue before its receiver (a <c>queue:</c> address) declares the same type.
    /// </summary>
    Quorum,
}
