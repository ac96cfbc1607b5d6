using Smartspace.Core.Conversations;
using Smartspace.Core.Media;
using Smartspace.Functions.Features.Auth;
using Smartspace.Functions.Ledger;
using Smartspace.Storage.Blobs;

namespace Smartspace.Functions.Features.Media;

/// <summary>
/// Issue 16 in the agent API: a message's file, attachments, reactions, read receipts and the typing indicator. Every
/// route is scoped to the caller's contact center (another one's conversation is 404) and to the conversations the
/// caller may see (the holder; supervisors read every one).
/// </summary>
public static class MediaApi
{
    public static RouteGroupBuilder MapMediaApi(this RouteGroupBuilder api)
    {
        api.MapGet("/conversations/{conversationId}/messages/{messageId}/media", async (HttpContext http, string conversationId, string messageId, MediaDownloadHandler handler, CancellationToken ct) =>
            await AgentApi.WithCaller(http, caller => handler.HandleAsync(http, caller, conversationId, messageId, ct)))
            .WithSummary("A message's file (customer media once fetched from Meta, or an agent's attachment) with its MIME type and file name; 404 media_unavailable while pending or when Meta could not deliver it.");

        api.MapPost("/conversations/{conversationId}/attachments", async (HttpContext http, string conversationId, SendAttachmentHandler handler, CancellationToken ct) =>
            await AgentApi.WithCaller(http, caller => handler.HandleAsync(http, caller, conversationId, ct)))
            .DisableAntiforgery()
            .WithSummary("Sends an attachment inside the 24-hour window: multipart/form-data with 'file' (image JPEG/PNG ≤ 5 MB, video MP4/3GP ≤ 16 MB, audio AAC/AMR/MP3/M4A/OGG ≤ 16 MB, document PDF/TXT/DOC(X)/XLS(X)/PPT(X) ≤ 100 MB), optional 'caption' (not on audio) and 'replyTo' (a customer message id). 202 like a text; 413/415/400 problem+json otherwise; refused outside the window like free text.");

        api.MapPost("/conversations/{conversationId}/messages/{messageId}/reaction", async (HttpContext http, string conversationId, string messageId, ReactionRequest body, ReactionHandler handler, CancellationToken ct) =>
            await AgentApi.WithCaller(http, caller => handler.ReactAsync(caller, conversationId, messageId, body.Emoji, ct)))
            .WithSummary("Reacts to a customer's message with one emoji (a WhatsApp message of its own, with statuses; free-form rules apply).");

        api.MapDelete("/conversations/{conversationId}/messages/{messageId}/reaction", async (HttpContext http, string conversationId, string messageId, ReactionHandler handler, CancellationToken ct) =>
            await AgentApi.WithCaller(http, caller => handler.ReactAsync(caller, conversationId, messageId, "", ct)))
            .WithSummary("Removes the agent's reaction to a customer's message.");

        api.MapPost("/conversations/{conversationId}/read", async (HttpContext http, string conversationId, ReadReceiptsHandler handler, CancellationToken ct) =>
            await AgentApi.WithCaller(http, caller => handler.MarkReadAsync(caller, conversationId, ct)))
            .WithSummary("The holder opened the conversation: its unread customer messages are marked read at Meta, each exactly once. 200 {marked}.");

        api.MapPost("/conversations/{conversationId}/typing", async (HttpContext http, string conversationId, ReadReceiptsHandler handler, CancellationToken ct) =>
            await AgentApi.WithCaller(http, caller => handler.TypingAsync(caller, conversationId, ct)))
            .WithSummary("The holder is typing: Meta's typing indicator on the customer's last message (window open only; at most every 20 s). 202 {sent}.");
        return api;
    }

    public static IServiceCollection AddMedia(this IServiceCollection services)
    {
        services.AddSingleton<MediaFetchSignal>();
        services.AddSingleton<IMediaFetchSignal>(sp => sp.GetRequiredService<MediaFetchSignal>());
        services.AddSingleton<InboundMediaFetcher>();
        services.AddHostedService<MediaFetchWorker>();
        services.AddSingleton<MediaDownloadHandler>();
        services.AddSingleton<SendAttachmentHandler>();
        services.AddSingleton<ReactionHandler>();
        services.AddSingleton<ReadReceiptsHandler>();
        return services;
    }

    /// <summary>The conversation when the caller may see it: 404 for none (or another contact center's), 403 for someone else's.</summary>
    internal static async Task<(ConversationRow? Conversation, IResult? Problem)> VisibleAsync(LedgerStore ledger, Caller caller, string conversationId, CancellationToken ct)
    {
        var conversation = await ledger.GetConversationAsync(caller.TenantId, conversationId, ct);
        if (conversation is null)
        {
            return (null, ApiProblems.Refusal(RefusalCode.ConversationNotFound));
        }

        return !caller.IsSupervisor && conversation.AgentId != caller.AgentId
            ? (null, ApiProblems.Refusal(RefusalCode.Forbidden))
            : (conversation, null);
    }

    /// <summary>The message an id names inside this conversation, or null.</summary>
    internal static async Task<MessageRow?> MessageAsync(LedgerStore ledger, string tenantId, string conversationId, string messageId, CancellationToken ct) =>
        Keys.TryParseOurMessageId(messageId, out var id, out var seq) && id == conversationId
            ? await ledger.GetMessageAsync(tenantId, conversationId, seq, ct)
            : null;
}

public sealed record ReactionRequest(string? Emoji);

/// <summary>
/// <c>GET …/messages/{messageId}/media</c>: the stored file with its MIME type and file name. Images, audio, video and
/// PDFs are served inline (a voice note plays in the browser); anything else as an attachment. Not stored (pending,
/// unavailable, removed by retention or erasure): 404 <c>media_unavailable</c> with the state.
/// </summary>
public sealed class MediaDownloadHandler(LedgerStore ledger, IBlobStore blobs)
{
    public async Task<IResult> HandleAsync(HttpContext http, Caller caller, string conversationId, string messageId, CancellationToken ct)
    {
        var (conversation, problem) = await MediaApi.VisibleAsync(ledger, caller, conversationId, ct);
        if (problem is not null)
        {
            return problem;
        }

        var message = await MediaApi.MessageAsync(ledger, caller.TenantId, conversation!.ConversationId, messageId, ct);
        if (message is null)
        {
            return ApiProblems.Refusal(RefusalCode.MessageNotFound);
        }

        if (message.MediaState != MediaStates.Stored || message.MediaBlob is null)
        {
            return ApiProblems.Refusal(RefusalCode.MediaUnavailable, message.MediaState ?? "none");
        }

        var stored = await blobs.GetAsync(message.MediaBlob, ct);
        if (stored is null)
        {
            return ApiProblems.Refusal(RefusalCode.MediaUnavailable, "removed");
        }

        var contentType = message.MediaContentType ?? stored.ContentType;
        var inline = contentType.StartsWith("image/", StringComparison.Ordinal) || contentType.StartsWith("audio/", StringComparison.Ordinal)
            || contentType.StartsWith("video/", StringComparison.Ordinal) || contentType == "application/pdf";
        var disposition = new Microsoft.Net.Http.Headers.ContentDispositionHeaderValue(inline ? "inline" : "attachment");
        disposition.SetHttpFileName(message.MediaFileName ?? "arquivo");
        http.Response.Headers.ContentDisposition = disposition.ToString();
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers.CacheControl = "private, max-age=300";
        http.Response.RegisterForDisposeAsync(stored);
        return Results.Stream(stored.Content, contentType, enableRangeProcessing: stored.Content.CanSeek);
    }
}
