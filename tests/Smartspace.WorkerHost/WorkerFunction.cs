using System.Text.Json.Nodes;
using Smartspace.WorkerHost.Rpc;

namespace Smartspace.WorkerHost;

/// <summary>One function as the worker indexed it (FunctionMetadataResponse), with its bindings read from the raw binding JSON.</summary>
public sealed class WorkerFunction
{
    internal WorkerFunction(RpcFunctionMetadata metadata)
    {
        Metadata = metadata;
        Bindings = metadata.RawBindings.Select(WorkerBinding.Parse).ToArray();
        Trigger = Bindings.FirstOrDefault(b => b.Direction == "in" && b.Type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The message as the worker sent it; passed back unchanged in FunctionLoadRequest.</summary>
    public RpcFunctionMetadata Metadata { get; }

    public string Name => Metadata.Name;

    public string FunctionId => Metadata.FunctionId;

    public string EntryPoint => Metadata.EntryPoint;

    public string ScriptFile => Metadata.ScriptFile;

    public IReadOnlyList<WorkerBinding> Bindings { get; }

    /// <summary>The input binding whose type ends in <c>Trigger</c>, if any.</summary>
    public WorkerBinding? Trigger { get; }

    public bool IsHttpTrigger => string.Equals(Trigger?.Type, "httpTrigger", StringComparison.OrdinalIgnoreCase);

    public bool IsTimerTrigger => string.Equals(Trigger?.Type, "timerTrigger", StringComparison.OrdinalIgnoreCase);

    /// <summary>The function's <c>durableClient</c> input bindings (<c>[DurableClient]</c> parameters): the host fills each on every invocation.</summary>
    public IReadOnlyList<WorkerBinding> DurableClients =>
        Bindings.Where(b => b.Direction == "in" && string.Equals(b.Type, "durableClient", StringComparison.OrdinalIgnoreCase)).ToArray();

    /// <summary>The HTTP trigger's route template as declared (null when it declares none: the host then uses the function name).</summary>
    public string? Route => IsHttpTrigger ? Trigger!.GetString("route") : null;

    /// <summary>The HTTP methods the trigger accepts, lower-case; empty means every method.</summary>
    public IReadOnlyList<string> Methods => IsHttpTrigger ? Trigger!.GetStrings("methods").Select(m => m.ToLowerInvariant()).ToArray() : [];

    public string? AuthLevel => IsHttpTrigger ? Trigger!.GetString("authLevel") : null;

    /// <summary>The timer trigger's schedule (NCRONTAB, or a <c>%setting%</c> the host would resolve).</summary>
    public string? Schedule => IsTimerTrigger ? Trigger!.GetString("schedule") : null;

    public override string ToString() => $"{Name} ({Trigger?.Type ?? "no trigger"})";
}

/// <summary>One binding of a function: its name, type, direction (lower-case <c>in</c>/<c>out</c>/<c>inout</c>) and raw JSON.</summary>
public sealed class WorkerBinding
{
    private WorkerBinding(string name, string type, string direction, JsonObject raw, string rawJson)
    {
        Name = name;
        Type = type;
        Direction = direction;
        Raw = raw;
        RawJson = rawJson;
    }

    public string Name { get; }

    public string Type { get; }

    public string Direction { get; }

    public JsonObject Raw { get; }

    public string RawJson { get; }

    public string? GetString(string property) => Find(property) is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    public IReadOnlyList<string> GetStrings(string property) =>
        Find(property) is JsonArray array ? array.Select(item => item?.GetValue<string>()).OfType<string>().ToArray() : [];

    internal static WorkerBinding Parse(string rawJson)
    {
        var raw = JsonNode.Parse(rawJson) as JsonObject ?? throw new WorkerHostException($"A raw binding is not a JSON object: {rawJson}");
        string Read(string property) =>
            FindIn(raw, property) is JsonValue value && value.TryGetValue<string>(out var text) ? text : throw new WorkerHostException($"A raw binding has no '{property}': {rawJson}");
        return new WorkerBinding(Read("name"), Read("type"), Read("direction").ToLowerInvariant(), raw, rawJson);
    }

    private JsonNode? Find(string property) => FindIn(Raw, property);

    // Binding JSON property names are case-insensitive for the host ("authLevel", "AuthLevel").
    private static JsonNode? FindIn(JsonObject raw, string property) =>
        raw.FirstOrDefault(p => string.Equals(p.Key, property, StringComparison.OrdinalIgnoreCase)).Value;

    public override string ToString() => $"{Direction} {Type} {Name}";
}

/// <summary>An RpcLog the worker sent, with the time the host received it.</summary>
public sealed record WorkerLog(DateTimeOffset ReceivedAt, RpcLog Log)
{
    public string InvocationId => Log.InvocationId;

    public string Category => Log.Category;

    public RpcLog.Types.Level Level => Log.Level;

    public string Message => Log.Message;

    /// <summary>The message plus the exception text, if any: what a secret-in-logs check must search.</summary>
    public string FullText => Log.Exception is null ? Log.Message : $"{Log.Message} {Log.Exception.Type}: {Log.Exception.Message} {Log.Exception.StackTrace}";

    public override string ToString() => $"[{Level}] {Category}: {FullText}";
}
