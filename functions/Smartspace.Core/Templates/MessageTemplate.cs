namespace Smartspace.Core.Templates;

/// <summary>Meta's review status of a message template (P5). Only <see cref="Approved"/> may be offered or sent.</summary>
public enum TemplateStatus
{
    Unknown = 0,
    Approved,
    Pending,
    Rejected,
    Paused,
    Disabled,
    InAppeal,
    Flagged,
    Archived,
    Deleted,
    PendingDeletion,
    Locked,
    LimitExceeded,
}

/// <summary>How a template's variables are written: <c>{{1}}</c> (positional) or <c>{{first_name}}</c> (named).</summary>
public enum TemplateParameterFormat
{
    Positional = 0,
    Named,
}

/// <summary>The header component of a template.</summary>
public abstract record TemplateHeader
{
    private TemplateHeader() { }

    /// <summary>No header.</summary>
    public sealed record None : TemplateHeader
    {
        public static readonly None Instance = new();
    }

    /// <summary>A text header; it may hold at most one variable (<c>{{1}}</c> or <c>{{name}}</c>).</summary>
    public sealed record Text(string Value) : TemplateHeader
    {
        public string? Variable => TemplateVariables.Extract(Value).FirstOrDefault();
    }

    /// <summary>An image header; the send must supply the image (link or media id), or Meta answers 132012.</summary>
    public sealed record Image(string? ExampleLink) : TemplateHeader;

    public sealed record Video(string? ExampleLink) : TemplateHeader;

    public sealed record Document(string? ExampleLink) : TemplateHeader;

    public sealed record Location : TemplateHeader;

    /// <summary>A header format this code does not know; such a template cannot be sent from here.</summary>
    public sealed record Unsupported(string Format) : TemplateHeader;

    /// <summary>True for headers whose value is a media object supplied at send time.</summary>
    public bool IsMedia => this is Image or Video or Document;
}

/// <summary>A template button as registered at Meta (QUICK_REPLY, URL, PHONE_NUMBER, COPY_CODE…).</summary>
public sealed record TemplateButton(string Type, string Text, string? Url = null, string? PhoneNumber = null)
{
    /// <summary>A URL button whose URL ends in a variable needs a value at send time.</summary>
    public bool HasUrlVariable =>
        string.Equals(Type, "URL", StringComparison.OrdinalIgnoreCase)
        && Url is not null
        && TemplateVariables.Extract(Url).Count > 0;
}

/// <summary>A Meta message template ("Modelo de mensagem") as synced from the WhatsApp Business Account.</summary>
public sealed record MessageTemplate(
    string Id,
    string Name,
    string Language,
    string Category,
    TemplateStatus Status,
    TemplateParameterFormat ParameterFormat,
    TemplateHeader Header,
    string BodyText,
    string? FooterText,
    IReadOnlyList<TemplateButton> Buttons)
{
    /// <summary>P5: only APPROVED templates may be offered to agents or sent.</summary>
    public bool IsSendable => Status == TemplateStatus.Approved && Header is not TemplateHeader.Unsupported;

    /// <summary>The body's variables in order of first appearance (<c>"1","2"</c> or <c>"nome","pedido"</c>).</summary>
    public IReadOnlyList<string> BodyVariables => TemplateVariables.Extract(BodyText);

    /// <summary>Indexes (0-based, as Meta counts them) of URL buttons that need a value at send time.</summary>
    public IReadOnlyList<int> UrlButtonsWithVariable =>
        Buttons.Select((b, i) => (b, i)).Where(x => x.b.HasUrlVariable).Select(x => x.i).ToArray();

    /// <summary>Value equality, buttons compared item by item (so a template sync can tell "unchanged").</summary>
    public bool Equals(MessageTemplate? other) =>
        other is not null
        && Id == other.Id
        && Name == other.Name
        && Language == other.Language
        && Category == other.Category
        && Status == other.Status
        && ParameterFormat == other.ParameterFormat
        && Equals(Header, other.Header)
        && BodyText == other.BodyText
        && FooterText == other.FooterText
        && Buttons.SequenceEqual(other.Buttons);

    public override int GetHashCode() => HashCode.Combine(Id, Name, Language, Status, BodyText, Buttons.Count);
}
