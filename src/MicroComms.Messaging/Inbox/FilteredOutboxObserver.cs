using MassTransit;

namespace MicroComms.Messaging.Inbox;

/// <summary>
/// Passes consumer and saga configuration on to MassTransit's outbox observer only for the types a filter accepts,
/// and tells <paramref name="applied"/> each time it does.
/// </summary>
internal sealed class FilteredOutboxObserver(IConsumerConfigurationObserver consumers, Func<Type, bool> appliesTo, Action applied)
    : IConsumerConfigurationObserver, ISagaConfigurationObserver
{
    private readonly ISagaConfigurationObserver _sagas = (ISagaConfigurationObserver)consumers;

    public void ConsumerConfigured<TConsumer>(IConsumerConfigurator<TConsumer> configurator)
        where TConsumer : class
    {
        if (appliesTo(typeof(TConsumer)))
        {
            applied();
            consumers.ConsumerConfigured(configurator);
        }
    }

    public void ConsumerMessageConfigured<TConsumer, TMessage>(IConsumerMessageConfigurator<TConsumer, TMessage> configurator)
        where TConsumer : class
        where TMessage : class
    {
        if (appliesTo(typeof(TConsumer)))
        {
            consumers.ConsumerMessageConfigured(configurator);
        }
    }

    public void SagaConfigured<TSaga>(ISagaConfigurator<TSaga> configurator)
        where TSaga : class, ISaga
    {
        if (appliesTo(typeof(TSaga)))
        {
            applied();
            _sagas.SagaConfigured(configurator);
        }
    }

    public void StateMachineSagaConfigured<TInstance>(ISagaConfigurator<TInstance> configurator, SagaStateMachine<TInstance> stateMachine)
        where TInstance : class, ISaga, SagaStateMachineInstance
    {
        if (appliesTo(typeof(TInstance)))
        {
            applied();
            _sagas.StateMachineSagaConfigured(configurator, stateMachine);
        }
    }

    public void SagaMessageConfigured<TSaga, TMessage>(ISagaMessageConfigurator<TSaga, TMessage> configurator)
        where TSaga : class, ISaga
        where TMessage : class
    {
        if (appliesTo(typeof(TSaga)))
        {
            _sagas.SagaMessageConfigured(configurator);
        }
    }
}
