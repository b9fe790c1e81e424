using System.Reflection;

namespace MicroComms.Tests;

/// <summary>
/// Stands in for any interface whose methods return a task (e.g. a request client): every call returns a task that
/// never completes and ignores its cancellation token, as a send blocked on a dead broker connection does.
/// Not sealed: <see cref="DispatchProxy"/> derives its proxy type from it.
/// </summary>
public class NeverAnswers : DispatchProxy
{
    public static T Create<T>()
        where T : class => Create<T, NeverAnswers>();

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        var returnType = targetMethod!.ReturnType;
        if (!returnType.IsGenericType || returnType.GetGenericTypeDefinition() != typeof(Task<>))
        {
            throw new NotSupportedException($"{targetMethod.Name} does not return a Task<T>.");
        }

        var source = Activator.CreateInstance(typeof(TaskCompletionSource<>).MakeGenericType(returnType.GetGenericArguments()))!;
        return source.GetType().GetProperty(nameof(TaskCompletionSource<object>.Task))!.GetValue(source);
    }
}
