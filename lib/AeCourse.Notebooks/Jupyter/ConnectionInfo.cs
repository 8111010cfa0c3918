using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace AeCourse.Notebooks.Jupyter;

/// <summary>A connection file cannot be used; the message names the file and, where one is at fault, the field.</summary>
public sealed class ConnectionFileException(string path, string problem, Exception? inner = null)
    : IOException($"{path}: {problem}", inner)
{
    /// <summary>The connection file.</summary>
    public string FilePath { get; } = path;
}

/// <summary>
/// The connection file Jupyter writes for a kernel it starts (kernels.html, "Connection files"): where the five
/// sockets are bound and the key their messages are signed with. The kit's kernel accepts only what keeps it private
/// to the machine's user: TCP on a loopback address, HMAC-SHA256 signatures and a non-empty key.
/// </summary>
/// <param name="Transport">Always <c>tcp</c>.</param>
/// <param name="Ip">127.0.0.1, localhost or ::1.</param>
/// <param name="ShellPort">The shell ROUTER socket's port.</param>
/// <param name="IoPubPort">The iopub PUB socket's port.</param>
/// <param name="StdinPort">The stdin ROUTER socket's port.</param>
/// <param name="ControlPort">The control ROUTER socket's port.</param>
/// <param name="HeartbeatPort">The heartbeat echo socket's port.</param>
/// <param name="Key">The HMAC key, used as its UTF-8 bytes.</param>
/// <param name="SignatureScheme">Always <c>hmac-sha256</c>.</param>
public sealed record ConnectionInfo(string Transport, string Ip, int ShellPort, int IoPubPort, int StdinPort, int ControlPort,
    int HeartbeatPort, string Key, string SignatureScheme)
{
    /// <summary>The only signature scheme the kit accepts.</summary>
    public const string HmacSha256 = "hmac-sha256";

    static readonly string[] LoopbackAddresses = ["127.0.0.1", "localhost", "::1"];

    /// <summary>The kernel_name field Jupyter adds (the kernelspec it started), or null when the file has none.</summary>
    public string? KernelName { get; init; }

    /// <summary>
    /// Reads and checks a connection file. Throws <see cref="ConnectionFileException"/> naming the file and the field:
    /// the file is missing or unreadable, it is not a JSON object, a port is missing or not in 1–65535, the transport is
    /// not tcp, the signature scheme is not hmac-sha256, the key is empty (the kit does not run unauthenticated), or the
    /// address is not a loopback one.
    /// </summary>
    public static ConnectionInfo Read(string path)
    {
        var root = Parse(path);

        var transport = RequiredString(root, path, "transport");
        if (transport != "tcp")
            throw new ConnectionFileException(path, $"transport is \"{transport}\"; the kit's kernel speaks tcp only");

        var ip = RequiredString(root, path, "ip");
        if (!LoopbackAddresses.Contains(ip))
            throw new ConnectionFileException(path,
                $"ip is \"{ip}\"; the kit's kernel binds 127.0.0.1 only (localhost and ::1 are accepted too), so that no other machine can reach it");

        var scheme = RequiredString(root, path, "signature_scheme");
        if (scheme != HmacSha256)
            throw new ConnectionFileException(path, $"signature_scheme is \"{scheme}\"; the kit's kernel accepts {HmacSha256} only");

        var key = RequiredString(root, path, "key");
        if (key.Length == 0)
            throw new ConnectionFileException(path, "key is empty; the kit's kernel refuses to run without signed messages");

        return new ConnectionInfo(transport, ip, Port(root, path, "shell_port"), Port(root, path, "iopub_port"),
            Port(root, path, "stdin_port"), Port(root, path, "control_port"), Port(root, path, "hb_port"), key, scheme)
        {
            KernelName = root["kernel_name"] is JsonValue name && name.TryGetValue<string>(out var s) ? s : null,
        };
    }

    /// <summary>The ZeroMQ endpoint of <paramref name="port"/> on this connection's address, e.g. <c>tcp://127.0.0.1:5555</c>.</summary>
    public string Endpoint(int port) => Ip switch
    {
        // NetMQ resolves names through DNS, which may answer ::1 first; the loopback name means 127.0.0.1 here.
        "localhost" => $"tcp://127.0.0.1:{port}",
        _ when Ip.Contains(':') => $"tcp://[{Ip}]:{port}",
        _ => $"tcp://{Ip}:{port}",
    };

    /// <summary>True when the address is IPv6, whose sockets NetMQ must be told to allow.</summary>
    internal bool IsIPv6 => Ip.Contains(':');

    /// <summary>The address the sockets bind, as <see cref="Endpoint"/> writes it.</summary>
    internal IPAddress Address => Ip == "localhost" ? IPAddress.Loopback : IPAddress.Parse(Ip);

    static JsonObject Parse(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConnectionFileException(path, $"cannot read the connection file: {e.Message}", e);
        }

        try
        {
            return JsonNode.Parse(text) as JsonObject
                ?? throw new ConnectionFileException(path, "the connection file is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new ConnectionFileException(path, $"the connection file is not valid JSON: {e.Message}", e);
        }
    }

    static string RequiredString(JsonObject root, string path, string field) =>
        root[field] is JsonValue value && value.TryGetValue<string>(out var s)
            ? s
            : throw new ConnectionFileException(path, root.ContainsKey(field) ? $"{field} is not a string" : $"{field} is missing");

    static int Port(JsonObject root, string path, string field)
    {
        if (!root.ContainsKey(field)) throw new ConnectionFileException(path, $"{field} is missing");
        if (root[field] is JsonValue value && value.TryGetValue<int>(out var port) && port is > 0 and <= 65535) return port;
        throw new ConnectionFileException(path, $"{field} is {root[field]?.ToJsonString() ?? "null"}, not a port number (1-65535)");
    }
}
