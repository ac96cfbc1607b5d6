using Smartspace.Core.Messaging;

namespace Smartspace.Core.Meta;

/// <summary>A <c>value.statuses[]</c> item: what happened to one of our outbound messages (P3, reference §6).</summary>
public sealed record StatusUpdate
{
    /// <summary><c>id</c>: the wamid of our outbound message.</summary>
    public required string Wamid { get; init; }

    /// <summary>The status; <see cref="MessageStatus.Unknown"/> for values this product does not know.</summary>
    public required MessageStatus Status { get; init; }

    /// <summary><c>status</c> exactly as sent.</summary>
    public required string StatusText { get; init; }

    /// <summary><c>timestamp</c>.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary><c>recipient_id</c>: the customer's phone (or a group id); may be absent for BSUID sends.</summary>
    public string? RecipientId { get; init; }

    /// <summary><c>recipient_user_id</c>: the customer's BSUID.</summary>
    public string? RecipientUserId { get; init; }

    /// <summary><c>biz_opaque_callback_data</c>: our correlation id, echoed back.</summary>
    public string? BizOpaqueCallbackData { get; init; }

    /// <summary><c>errors[]</c>, for <c>failed</c>.</summary>
    public IReadOnlyList<MetaError> Errors { get; init; } = [];

    /// <summary><c>pricing</c>, when present (sent and delivered/read).</summary>
    public StatusPricing? Pricing { get; init; }
}

/// <summary><c>statuses[].pricing</c>.</summary>
/// <param name="Category"><c>category</c>: utility, marketing, service, authentication…</param>
/// <param name="Type"><c>type</c>: regular, free_customer_service, free_entry_point.</param>
/// <param name="Model"><c>pricing_model</c>: PMP (or CBP before July 2025).</param>
/// <param name="Billable"><c>billable</c> (being deprecated by Meta).</param>
public sealed record StatusPricing(string? Category, string? Type, string? Model, bool? Billable);
