using Smartspace.Realtime.Hub;

namespace Smartspace.Realtime.Tests.Hub;

/// <summary>Web PubSub's OData connection filter: what matches, what is refused up front.</summary>
public sealed class ConnectionFilterTests
{
    private static readonly FilterSubject Agent = new("conn-1", "agent-7", new HashSet<string> { "supervisors.demo", "queue" }, "json.reliable.webpubsub.azure.v1");
    private static readonly FilterSubject Anonymous = new("conn-2", null, new HashSet<string>(), null);

    [Theory]
    [InlineData("userId eq 'agent-7'", true, false)]
    [InlineData("userId ne 'agent-7'", false, true)]
    [InlineData("UserId eq 'agent-7'", true, false)] // identifiers are case-insensitive
    [InlineData("userId eq null", false, true)]
    [InlineData("connectionId eq 'conn-2'", false, true)]
    [InlineData("'queue' in groups", true, false)]
    [InlineData("not ('queue' in groups)", false, true)]
    [InlineData("'queue' in groups and 'supervisors.demo' in groups", true, false)]
    [InlineData("'x' in groups or userId eq 'agent-7'", true, false)]
    [InlineData("userId in ('agent-1', 'agent-7')", true, false)]
    [InlineData("userId in ('agent-1')", false, false)]
    [InlineData("length(userId) gt 3 and length(userId) le 7", true, false)]
    [InlineData("length(groups) eq 2", true, false)]
    [InlineData("length(userId) lt 100", true, false)] // null length compares false
    [InlineData("startswith(userId, 'agent-') and endswith(userId, '7')", true, false)]
    [InlineData("contains(tolower(toupper(userId)), 'nt-')", true, false)]
    [InlineData("indexof(userId, '-') eq 5", true, false)]
    [InlineData("concat(userId, '!') eq 'agent-7!'", true, false)]
    [InlineData("substring(userId, 6) eq '7' and substring(userId, 0, 5) eq 'agent'", true, false)]
    [InlineData("trim(' a ') eq 'a'", true, true)]
    [InlineData("protocol eq 'json.reliable.webpubsub.azure.v1'", true, false)]
    [InlineData("true", true, true)]
    [InlineData("false or (userId eq 'it''s')", false, false)]
    public void Matches(string filter, bool agent, bool anonymous)
    {
        var parsed = ConnectionFilter.Parse(filter)!;
        Assert.Equal(agent, parsed.Matches(Agent));
        Assert.Equal(anonymous, parsed.Matches(Anonymous));
    }

    [Fact]
    public void QuotesAreEscapedByDoubling()
    {
        var subject = new FilterSubject("c", "d'artagnan", new HashSet<string>(), null);
        Assert.True(ConnectionFilter.Parse("userId eq 'd''artagnan'")!.Matches(subject));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Empty_MatchesEveryone(string filter) => Assert.Null(ConnectionFilter.Parse(filter));

    [Theory]
    [InlineData("userId eq")]
    [InlineData("userId eq 'open")]
    [InlineData("userId")] // not Boolean
    [InlineData("userId eq 'a' xor true")]
    [InlineData("name eq 'a'")]
    [InlineData("userId gt 'a'")] // gt compares integers only
    [InlineData("groups eq 'a'")]
    [InlineData("length(userId, 2) eq 1")]
    [InlineData("startswith(userId) ")]
    [InlineData("userId in groups2")]
    [InlineData("'a' in userId")]
    [InlineData("not userId")]
    [InlineData("userId in ('a', userId)")]
    [InlineData("tolower(groups) eq 'a'")]
    [InlineData("(userId eq 'a'")]
    public void Invalid_IsRefusedWhenParsed(string filter) =>
        Assert.Throws<ConnectionFilterException>(() => ConnectionFilter.Parse(filter));

    [Fact]
    public void DeepNesting_IsRefusedNotAStackOverflow()
    {
        var deep = new string('(', 5000) + "true" + new string(')', 5000);
        Assert.Throws<ConnectionFilterException>(() => ConnectionFilter.Parse(deep));
        Assert.Throws<ConnectionFilterException>(() => ConnectionFilter.Parse(string.Concat(Enumerable.Repeat("not ", 500)) + "true"));
    }
}
