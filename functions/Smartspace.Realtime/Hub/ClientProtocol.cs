namespace Smartspace.Realtime.Hub;

/// <summary>The WebSocket subprotocol a connection speaks.</summary>
public enum ClientProtocol
{
    /// <summary>No subprotocol: payloads as-is, client frames become <c>message</c> user events.</summary>
    Raw,

    /// <summary><c>json.webpubsub.azure.v1</c></summary>
    Json,

    /// <summary><c>json.reliable.webpubsub.azure.v1</c>: sequence ids, acks, recovery.</summary>
    JsonReliable,
}

internal static class ClientProtocols
{
    public const string JsonName = "json.webpubsub.azure.v1";
    public const string JsonReliableName = "json.reliable.webpubsub.azure.v1";

    /// <summary>Picks the first supported subprotocol in the client's order; Raw when none was offered; null when none is supported.</summary>
    public static (ClientProtocol Protocol, string? Name)? Choose(IList<string> requested)
    {
        if (requested.Count == 0)
        {
            return (ClientProtocol.Raw, null);
        }

        foreach (var name in requested)
        {
            if (string.Equals(name, JsonReliableName, StringComparison.OrdinalIgnoreCase))
            {
                return (ClientProtocol.JsonReliable, JsonReliableName);
            }

            if (string.Equals(name, JsonName, StringComparison.OrdinalIgnoreCase))
            {
                return (ClientProtocol.Json, JsonName);
            }
        }

        return null;
    }

    public static string? NameOf(ClientProtocol protocol) => protocol switch
    {
        ClientProtocol.Json => JsonName,
        ClientProtocol.JsonReliable => JsonReliableName,
        _ => null,
    };
}
