using System.Globalization;
using System.Text.Json.Nodes;

namespace AeCourse.Notebooks.Jupyter;

/// <summary>
/// One message of the Jupyter messaging protocol (messaging.html, "General Message Format"), as its parts: the ZeroMQ
/// routing identities, the four JSON dictionaries and any binary buffers. <see cref="WireFormat"/> turns it into
/// frames and back.
/// </summary>
public sealed class JupyterMessage
{
    /// <summary>The version of the messaging protocol the kit speaks, written in every header it makes.</summary>
    public const string ProtocolVersion = "5.3";

    /// <summary>
    /// The ZeroMQ routing identities before the <c>&lt;IDS|MSG&gt;</c> delimiter: on shell, control and stdin the
    /// peer to answer; on iopub the topic.
    /// </summary>
    public IReadOnlyList<byte[]> Identities { get; init; } = [];

    /// <summary>msg_id, session, username, date (ISO 8601 with offset), msg_type and version.</summary>
    public JsonObject Header { get; init; } = new();

    /// <summary>The header of the message this one answers or was caused by; empty when none.</summary>
    public JsonObject ParentHeader { get; init; } = new();

    /// <summary>Free-form metadata (e.g. execute_reply's dependencies); usually empty.</summary>
    public JsonObject Metadata { get; init; } = new();

    /// <summary>The message type's own fields.</summary>
    public JsonObject Content { get; init; } = new();

    /// <summary>Binary buffers after the content (comms and widgets use them); not signed, per the specification.</summary>
    public IReadOnlyList<byte[]> Buffers { get; init; } = [];

    /// <summary>The header's msg_type, e.g. <c>kernel_info_request</c>; empty when the header has none.</summary>
    public string MessageType => HeaderString("msg_type");

    /// <summary>The header's msg_id; empty when the header has none.</summary>
    public string MessageId => HeaderString("msg_id");

    /// <summary>The header's session id; empty when the header has none.</summary>
    public string Session => HeaderString("session");

    /// <summary>
    /// A new message of type <paramref name="messageType"/> answering or caused by <paramref name="parent"/>: its
    /// parent_header is a copy of the parent's header and, unless <paramref name="identities"/> says otherwise, it goes
    /// back to the parent's identities (what replies on shell, control and stdin need). The header gets a fresh msg_id,
    /// the kernel's <paramref name="session"/> id, the current user's name and the current UTC time.
    /// </summary>
    /// <param name="messageType">The msg_type, e.g. <c>kernel_info_reply</c>.</param>
    /// <param name="content">The content; used as given, not copied.</param>
    /// <param name="parent">The request answered, or null for a message of the kernel's own (e.g. its first status).</param>
    /// <param name="session">The kernel's session id, the same in all its messages.</param>
    /// <param name="identities">Where to send it; null for the parent's identities (none without a parent).</param>
    /// <param name="metadata">The metadata; null for an empty one.</param>
    public static JupyterMessage Create(string messageType, JsonObject content, JupyterMessage? parent, string session,
        IReadOnlyList<byte[]>? identities = null, JsonObject? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageType);
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(session);
        return new JupyterMessage
        {
            Identities = identities ?? parent?.Identities ?? [],
            Header = new JsonObject
            {
                ["msg_id"] = Guid.NewGuid().ToString(),
                ["session"] = session,
                ["username"] = Environment.UserName,
                ["date"] = Timestamp(DateTimeOffset.UtcNow),
                ["msg_type"] = messageType,
                ["version"] = ProtocolVersion,
            },
            // A JSON node belongs to one tree: the parent keeps its header, this message gets a copy.
            ParentHeader = (JsonObject?)parent?.Header.DeepClone() ?? new JsonObject(),
            Metadata = metadata ?? new JsonObject(),
            Content = content,
        };
    }

    /// <summary>
    /// A header date as jupyter_client writes and reads it: UTC, to the microsecond, with a <c>Z</c> offset.
    /// jupyter_client turns dates with at most six fraction digits into datetimes; .NET's round-trip format has seven.
    /// </summary>
    internal static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    string HeaderString(string field) =>
        Header[field] is JsonValue value && value.TryGetValue<string>(out var s) ? s : "";
}
