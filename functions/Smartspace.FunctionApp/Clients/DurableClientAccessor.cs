using Microsoft.DurableTask.Client;

namespace Smartspace.FunctionApp.Clients;

/// <summary>
/// The <see cref="DurableTaskClient"/> of the function invocation in progress. The Durable extension hands a client only to a
/// function that declares a <c>[DurableClient]</c> binding, and only for that invocation; the function puts it here before it
/// runs the feature code, and <see cref="DurableClientConversationEntities"/> reads it there. An async-local value: it flows
/// into everything the invocation awaits (and into work it starts) and never into another invocation.
/// </summary>
public sealed class DurableClientAccessor
{
    private readonly AsyncLocal<DurableTaskClient?> current = new();

    /// <summary>The client bound to the invocation in progress; null outside an invocation that declares the binding.</summary>
    public DurableTaskClient? Current => current.Value;

    /// <summary>
    /// Makes <paramref name="client"/> the invocation's client. Call it at the top of an <c>async</c> function method: the value
    /// is then undone when that method returns, so it never leaks into the worker's own code.
    /// </summary>
    public void Use(DurableTaskClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        current.Value = client;
    }
}
