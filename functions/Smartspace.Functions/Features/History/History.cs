using System.Globalization;
using Smartspace.Core.Conversations;
using Smartspace.Core.Phones;
using Smartspace.Functions.Features.Auth;
using Smartspace.Functions.Ledger;
using Smartspace.Storage;

namespace Smartspace.Functions.Features.History;

/// <summary>
/// History search (R17): customer number (in full, or its last digits as the agent types them) or name
/// (without accents or case), agent, date range (closed at), qualification; newest first, paged.
/// </summary>
public sealed record HistoryQuery(string? Number, string? Name, string? AgentId, DateTimeOffset? From, DateTimeOffset? To, string? QualificationId, int PageSize, string? ContinuationToken);

public sealed record HistoryItem(ConversationView Conversation, IReadOnlyList<MessageView> Messages);

public sealed record HistoryPage(IReadOnlyList<HistoryItem> Items, string? ContinuationToken);

/// <summary>
/// Reads the history index (row keys ordered newest first) of the caller's contact center. Agents see
/// their own finished conversations (asking for another agent's is refused); supervisors see all. The continuation token is the last row key
/// returned, so pages are stable while new conversations finish.
/// </summary>
public sealed class HistoryHandler(LedgerStore ledger)
{
    public const int MaxPageSize = 100;

    public async Task<IResult> SearchAsync(Caller caller, HistoryQuery query, CancellationToken ct)
    {
        if (query.PageSize is < 1 or > MaxPageSize)
        {
            return ApiProblems.BadRequest($"pageSize must be between 1 and {MaxPageSize}.");
        }

        if (query.From is { } from && query.To is { } to && from > to)
        {
            return ApiProblems.BadRequest("from must not be after to.");
        }

        if (!caller.IsSupervisor && query.AgentId is { } asked && asked != caller.AgentId)
        {
            return ApiProblems.Refusal(RefusalCode.Forbidden, "Agents search only their own history.");
        }

        string? customerKey = null;
        string? numberEnding = null;
        if (!string.IsNullOrWhiteSpace(query.Number))
        {
            switch (HistorySearch.ParseNumber(query.Number))
            {
                case (string key, _):
                    customerKey = key;
                    break;
                case (_, string ending):
                    numberEnding = ending;
                    break;
                default:
                    return ApiProblems.BadRequest($"number must be a phone number or at least its last {HistorySearch.MinNumberDigits} digits.");
            }
        }

        var agentFilter = caller.IsSupervisor ? query.AgentId : caller.AgentId;
        var filters = new List<PropertyFilter>();
        if (customerKey is not null)
        {
            filters.Add(new PropertyFilter("CustomerKey", FilterOperator.Equal, customerKey));
        }

        if (agentFilter is not null)
        {
            filters.Add(new PropertyFilter("AgentId", FilterOperator.Equal, agentFilter));
        }

        if (query.QualificationId is not null)
        {
            filters.Add(new PropertyFilter("QualificationId", FilterOperator.Equal, query.QualificationId));
        }

        // Newest first: row key = inverted close time. "to" bounds the start, "from" the end of the range.
        var rowFrom = query.To is { } upper ? Keys.History(upper, "") : Keys.HistoryPrefix;
        var rowTo = query.From is { } lower ? Keys.History(lower, "\uffff") : Keys.HistoryPrefix + '\uffff';
        if (query.ContinuationToken is { } token)
        {
            if (!token.StartsWith(Keys.HistoryPrefix, StringComparison.Ordinal))
            {
                return ApiProblems.BadRequest("continuationToken is not valid.");
            }

            rowFrom = token + '\u0000';
        }

        var items = new List<HistoryItem>();
        string? lastKey = null;
        string? storeToken = null;
        var nameFilter = query.Name?.Trim();
        do
        {
            var page = await ledger.Store.QueryAsync(Keys.LedgerTable, new EntityQuery(caller.TenantId)
            {
                RowKeyFrom = rowFrom,
                RowKeyTo = rowTo,
                Filters = filters,
                PageSize = 200,
                ContinuationToken = storeToken,
            }, ct);
            foreach (var entry in page.Items)
            {
                lastKey = entry.RowKey;
                if ((!string.IsNullOrEmpty(nameFilter) && !HistorySearch.NameMatches(entry.GetString("CustomerName"), nameFilter))
                    || (numberEnding is not null && !(entry.GetString("CustomerKey") ?? "").EndsWith(numberEnding, StringComparison.Ordinal)))
                {
                    continue;
                }

                var conversation = await ledger.GetConversationAsync(caller.TenantId, entry.GetString("ConversationId")!, ct);
                if (conversation is null)
                {
                    continue;
                }

                var messages = await ledger.GetMessagesAsync(caller.TenantId, conversation.ConversationId, 0, ct);
                items.Add(new HistoryItem(ConversationView.From(conversation), messages.Select(MessageView.From).ToList()));
                if (items.Count == query.PageSize)
                {
                    return Results.Ok(new HistoryPage(items, lastKey));
                }
            }

            storeToken = page.ContinuationToken;
        }
        while (storeToken is not null);

        return Results.Ok(new HistoryPage(items, null));
    }

    public static HistoryQuery Parse(HttpRequest request, out string? error)
    {
        string? problem = null;
        var q = request.Query;
        DateTimeOffset? ParseDate(string name)
        {
            if (!q.TryGetValue(name, out var raw) || string.IsNullOrWhiteSpace(raw))
            {
                return null;
            }

            if (DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value))
            {
                return value;
            }

            problem = $"{name} is not a date.";
            return null;
        }

        var pageSize = 20;
        if (q.TryGetValue("pageSize", out var size) && !int.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out pageSize))
        {
            problem = "pageSize is not a number.";
        }

        var from = ParseDate("from");
        var to = ParseDate("to");
        error = problem;
        static string? Value(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
        return new HistoryQuery(Value(q["number"]), Value(q["name"]), Value(q["agentId"]), from, to, Value(q["qualificationId"]), pageSize, Value(q["continuationToken"]));
    }
}
