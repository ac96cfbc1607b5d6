using DurableTask.Core;

namespace Smartspace.Durable.Runtime;

/// <summary>DTFx's name → object look-up (its own is internal): one creator per name, any version, names compared as the runtime compares them.</summary>
internal sealed class ObjectManager<T>(StringComparer comparer) : INameVersionObjectManager<T>
{
    private readonly Dictionary<string, ObjectCreator<T>> creators = new(comparer);

    public void Add(ObjectCreator<T> creator)
    {
        if (!creators.TryAdd(creator.Name, creator))
        {
            throw new InvalidOperationException($"'{creator.Name}' is registered twice.");
        }
    }

    public T? GetObject(string name, string? version) => creators.TryGetValue(name, out var creator) ? creator.Create() : default;
}

/// <summary>An object creator from a factory: a fresh object per work item.</summary>
internal sealed class FactoryCreator<T> : ObjectCreator<T>
{
    private readonly Func<T> factory;

    public FactoryCreator(string name, Func<T> factory)
    {
        Name = name;
        Version = string.Empty;
        this.factory = factory;
    }

    public override T Create() => factory();
}
