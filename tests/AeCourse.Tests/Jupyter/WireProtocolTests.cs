using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using AeCourse.Notebooks.Jupyter;
using AeCourse.Tests.Support;
using NetMQ;
using NetMQ.Sockets;

namespace AeCourse.Tests.Jupyter;

/// <summary>The messaging protocol's wire layer: signatures, frames, the five sockets and the connection file.</summary>
public sealed class WireProtocolTests : IDisposable
{
    const string Key = "a0436f6c-1916-498b-8eb9-e81ab9368e84";
    static readonly TimeSpan Patience = TimeSpan.FromSeconds(2);

    readonly TempDir _dir = new();
    readonly MessageSigner _signer = new(Key);

    public void Dispose() => _dir.Dispose();

    // ---- Signatures -------------------------------------------------------------------------------------------------

    [Fact]
    public void Given_RFC_4231_test_case_2_When_signed_Then_the_digest_is_the_published_one()
    {
        // RFC 4231 ("Identifier and Test Vectors for HMAC-SHA-224, -256, -384, and -512"), section 4.3, test case 2:
        // key "Jefe", data "what do ya want for nothing?". The data is given in two parts: a message is signed over
        // its frames one after another.
        var signer = new MessageSigner("Jefe");
        byte[][] parts = ["what do ya"u8.ToArray(), " want for nothing?"u8.ToArray()];
        const string published = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";

        Assert.Equal(published, signer.Sign(parts));
        Assert.True(signer.Verify(published, parts));
        Assert.False(signer.Verify(published.Replace('5', '6'), parts));
        Assert.False(signer.Verify("not hex", parts));
        Assert.False(new MessageSigner("jefe").Verify(published, parts));
    }

    [Fact]
    public void Given_an_empty_key_When_a_signer_is_made_Then_it_is_refused()
    {
        Assert.Throws<ArgumentException>(() => new MessageSigner(""));
    }

    [Fact]
    public void Given_an_encoded_message_When_Python_signs_its_four_frames_Then_the_signature_frame_is_the_same()
    {
        // The reference is Debian's Python: its hmac module (HMAC-SHA256 through OpenSSL), fed the header,
        // parent_header, metadata and content frames in that order, as jupyter_client's Session.sign does.
        var frames = WireFormat.Encode(Request("execute_request", new JsonObject { ["code"] = "1 + 1 // é ✓" }), _signer);
        int d = DelimiterIndex(frames);
        for (int i = 0; i < 4; i++) File.WriteAllBytes(_dir[$"part{i}"], frames[d + 2 + i]);

        var python = Python("""
            import hashlib, hmac, sys
            mac = hmac.new(sys.argv[1].encode("utf-8"), digestmod=hashlib.sha256)
            for i in range(4):
                mac.update(open(sys.argv[2] + "/part%d" % i, "rb").read())
            print(mac.hexdigest())
            """, "", Key, _dir.Path);

        Assert.Equal(python.Trim(), Encoding.ASCII.GetString(frames[d + 1]));
    }

    [Fact]
    public void Given_jupyter_client_When_it_reads_our_frames_and_writes_its_own_Then_both_sides_accept_the_other()
    {
        // jupyter_client's own Session (Debian's python3-jupyter-client) checks our signature and parses our header,
        // date included; its reply, signed by it, must decode here.
        var request = Request("kernel_info_request", new JsonObject(), identity: "front-end"u8.ToArray());
        var frames = WireFormat.Encode(request, _signer);
        var input = string.Join('\n', frames.Select(Convert.ToBase64String));

        var output = Python("""
            import base64, sys, datetime
            from jupyter_client.session import Session
            frames = [base64.b64decode(line) for line in sys.stdin.read().split("\n")]
            session = Session(key=sys.argv[1].encode("utf-8"), username="py")
            idents, rest = session.feed_identities(frames)
            msg = session.deserialize(rest)
            assert isinstance(msg["header"]["date"], datetime.datetime), msg["header"]["date"]
            assert msg["header"]["date"].utcoffset() == datetime.timedelta(0)
            reply = session.msg("kernel_info_reply", content={"status": "ok", "checked": msg["header"]["msg_id"]}, parent=msg)
            wire = session.serialize(reply, ident=idents)
            print("\n".join(base64.b64encode(f).decode() for f in wire))
            """, input, Key);

        var reply = WireFormat.Decode(output.Trim().Split('\n').Select(Convert.FromBase64String).ToList(), _signer);
        Assert.Equal("kernel_info_reply", reply.MessageType);
        Assert.Equal(request.MessageId, reply.Content["checked"]!.GetValue<string>());
        Assert.Equal(request.MessageId, reply.ParentHeader["msg_id"]!.GetValue<string>());
        Assert.Equal("front-end"u8.ToArray(), Assert.Single(reply.Identities));
    }

    // ---- Frames -----------------------------------------------------------------------------------------------------

    [Fact]
    public void Given_a_message_When_encoded_and_decoded_Then_identities_dictionaries_and_buffers_are_kept()
    {
        var parent = Request("execute_request", new JsonObject { ["code"] = "x" });
        var reply = JupyterMessage.Create("execute_reply", new JsonObject { ["status"] = "ok", ["execution_count"] = 3 }, parent, "kernel-1",
            identities: [[0, 1, 2], "second"u8.ToArray()], metadata: new JsonObject { ["started"] = "now" });
        var message = new JupyterMessage
        {
            Identities = reply.Identities, Header = reply.Header, ParentHeader = reply.ParentHeader, Metadata = reply.Metadata,
            Content = reply.Content, Buffers = [[9, 8, 7], []],
        };

        var frames = WireFormat.Encode(message, _signer);
        Assert.Equal("<IDS|MSG>", Encoding.ASCII.GetString(frames[2]));
        var decoded = WireFormat.Decode(frames, _signer);

        Assert.Equal(message.Identities, decoded.Identities);
        Assert.Equal(message.Header.ToJsonString(), decoded.Header.ToJsonString());
        Assert.Equal(parent.Header.ToJsonString(), decoded.ParentHeader.ToJsonString());
        Assert.Equal("now", decoded.Metadata["started"]!.GetValue<string>());
        Assert.Equal(3, decoded.Content["execution_count"]!.GetValue<int>());
        Assert.Equal(message.Buffers, decoded.Buffers);
        Assert.Equal("execute_reply", decoded.MessageType);
    }

    [Fact]
    public void Given_a_reply_When_created_Then_its_header_follows_the_protocol_and_it_goes_back_to_its_request()
    {
        var request = Request("kernel_info_request", new JsonObject(), identity: "peer"u8.ToArray());
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        var reply = JupyterMessage.Create("kernel_info_reply", new JsonObject(), request, "kernel-session");

        Assert.Equal("peer"u8.ToArray(), Assert.Single(reply.Identities));
        Assert.Equal(request.Header.ToJsonString(), reply.ParentHeader.ToJsonString());
        Assert.NotSame(request.Header, reply.ParentHeader);
        Assert.Equal("kernel-session", reply.Session);
        Assert.Equal("5.3", reply.Header["version"]!.GetValue<string>());
        Assert.NotEqual(request.MessageId, reply.MessageId);
        Assert.False(string.IsNullOrEmpty(reply.Header["username"]!.GetValue<string>()));
        var date = reply.Header["date"]!.GetValue<string>();
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$", date);
        var parsed = DateTimeOffset.Parse(date, CultureInfo.InvariantCulture);
        Assert.InRange(parsed, before, DateTimeOffset.UtcNow.AddSeconds(1));

        var own = JupyterMessage.Create("status", new JsonObject { ["execution_state"] = "starting" }, null, "kernel-session");
        Assert.Empty(own.Identities);
        Assert.Empty(own.ParentHeader);
    }

    [Fact]
    public void Given_a_flipped_byte_in_the_content_When_decoded_Then_the_signature_is_refused()
    {
        var frames = WireFormat.Encode(Request("execute_request", new JsonObject { ["code"] = "1" }), _signer);
        var content = frames[^1];
        content[content.Length / 2] ^= 0x01;

        var e = Assert.Throws<InvalidSignatureException>(() => WireFormat.Decode(frames, _signer));
        Assert.Contains("signature", e.Message);
    }

    [Fact]
    public void Given_no_signature_or_another_key_When_decoded_Then_the_signature_is_refused()
    {
        var frames = WireFormat.Encode(Request("execute_request", new JsonObject()), _signer);
        Assert.Throws<InvalidSignatureException>(() => WireFormat.Decode(frames, new MessageSigner("another key")));

        frames[DelimiterIndex(frames) + 1] = [];
        var e = Assert.Throws<InvalidSignatureException>(() => WireFormat.Decode(frames, _signer));
        Assert.Contains("unsigned", e.Message);
    }

    [Fact]
    public void Given_frames_without_the_delimiter_When_decoded_Then_the_message_is_malformed()
    {
        var frames = WireFormat.Encode(Request("execute_request", new JsonObject()), _signer);
        frames.RemoveAt(DelimiterIndex(frames));

        var e = Assert.Throws<MalformedMessageException>(() => WireFormat.Decode(frames, _signer));
        Assert.Contains("<IDS|MSG>", e.Message);
    }

    [Fact]
    public void Given_too_few_frames_after_the_delimiter_When_decoded_Then_the_message_is_malformed()
    {
        var frames = WireFormat.Encode(Request("execute_request", new JsonObject()), _signer);
        frames.RemoveAt(frames.Count - 1);

        var e = Assert.Throws<MalformedMessageException>(() => WireFormat.Decode(frames, _signer));
        Assert.Contains("4 frames after", e.Message);
    }

    [Fact]
    public void Given_a_well_signed_frame_that_is_not_a_JSON_object_When_decoded_Then_the_message_is_malformed()
    {
        byte[][] parts = ["""{"msg_type":"execute_request","msg_id":"1"}"""u8.ToArray(), "{}"u8.ToArray(), "[1,2]"u8.ToArray(), "{}"u8.ToArray()];
        List<byte[]> frames = ["<IDS|MSG>"u8.ToArray(), Encoding.ASCII.GetBytes(_signer.Sign(parts)), .. parts];

        var e = Assert.Throws<MalformedMessageException>(() => WireFormat.Decode(frames, _signer));
        Assert.Contains("metadata", e.Message);

        parts[2] = "{}"u8.ToArray();
        parts[3] = "{not json"u8.ToArray();
        frames = ["<IDS|MSG>"u8.ToArray(), Encoding.ASCII.GetBytes(_signer.Sign(parts)), .. parts];
        e = Assert.Throws<MalformedMessageException>(() => WireFormat.Decode(frames, _signer));
        Assert.Contains("content", e.Message);
    }

    // ---- Sockets ----------------------------------------------------------------------------------------------------

    [Fact]
    public void Given_a_signed_request_on_shell_When_the_kernel_replies_Then_the_dealer_gets_the_reply_to_its_request()
    {
        using var kernel = new RunningKernel();
        using var shell = kernel.Dealer(kernel.Connection.ShellPort, "front-end");
        var request = Request("kernel_info_request", new JsonObject());
        shell.SendMultipartBytes(WireFormat.Encode(request, _signer));

        var (channel, received) = kernel.NextMessage();
        Assert.Equal(Channel.Shell, channel);
        Assert.Equal("kernel_info_request", received.MessageType);
        Assert.Equal("front-end"u8.ToArray(), Assert.Single(received.Identities));

        kernel.Channels.Send(Channel.Shell, JupyterMessage.Create("kernel_info_reply", new JsonObject { ["status"] = "ok" }, received, "kernel"));
        var reply = WireFormat.Decode(Receive(shell), _signer);
        Assert.Equal("kernel_info_reply", reply.MessageType);
        Assert.Equal(request.MessageId, reply.ParentHeader["msg_id"]!.GetValue<string>());
        Assert.Empty(reply.Identities);
    }

    [Fact]
    public void Given_a_wrongly_signed_message_When_it_arrives_Then_it_is_logged_counted_and_never_delivered()
    {
        using var kernel = new RunningKernel();
        using var shell = kernel.Dealer(kernel.Connection.ShellPort, "intruder");
        shell.SendMultipartBytes(WireFormat.Encode(Request("execute_request", new JsonObject { ["code"] = "rm" }), new MessageSigner("guessed")));
        // A good message after it shows the bad one was read, and not delivered, by then.
        shell.SendMultipartBytes(WireFormat.Encode(Request("kernel_info_request", new JsonObject()), _signer));

        Assert.Equal("kernel_info_request", kernel.NextMessage().Message.MessageType);
        Assert.Equal(1, kernel.Channels.Rejected);
        var line = Assert.Single(kernel.Log);
        Assert.Contains("shell", line);
        Assert.Contains("signature", line);
        Assert.False(kernel.TryNextMessage(TimeSpan.FromMilliseconds(100), out _));
    }

    [Fact]
    public void Given_a_message_sent_twice_When_the_copy_arrives_Then_it_is_refused_as_a_replay()
    {
        using var kernel = new RunningKernel();
        using var control = kernel.Dealer(kernel.Connection.ControlPort, "front-end");
        var frames = WireFormat.Encode(Request("interrupt_request", new JsonObject()), _signer);
        control.SendMultipartBytes(frames);
        control.SendMultipartBytes(frames);
        control.SendMultipartBytes(WireFormat.Encode(Request("shutdown_request", new JsonObject()), _signer));

        Assert.Equal("interrupt_request", kernel.NextMessage().Message.MessageType);
        Assert.Equal("shutdown_request", kernel.NextMessage().Message.MessageType);
        Assert.Equal(1, kernel.Channels.Rejected);
        Assert.Contains("control", Assert.Single(kernel.Log));
        Assert.Contains("duplicate", kernel.Log.Single());
    }

    [Fact]
    public void Given_malformed_frames_on_control_When_they_arrive_Then_the_log_names_control_and_the_problem()
    {
        using var kernel = new RunningKernel();
        using var control = kernel.Dealer(kernel.Connection.ControlPort, "front-end");
        control.SendMultipartBytes(["no delimiter here"u8.ToArray()]);
        control.SendMultipartBytes(WireFormat.Encode(Request("shutdown_request", new JsonObject()), _signer));

        Assert.Equal("shutdown_request", kernel.NextMessage().Message.MessageType);
        var line = Assert.Single(kernel.Log);
        Assert.Contains("control", line);
        Assert.Contains("malformed", line);
    }

    [Fact]
    public void Given_requests_on_shell_control_and_stdin_When_they_arrive_Then_each_is_delivered_with_its_channel()
    {
        using var kernel = new RunningKernel();
        using var shell = kernel.Dealer(kernel.Connection.ShellPort, "front-end");
        using var control = kernel.Dealer(kernel.Connection.ControlPort, "front-end");
        using var stdin = kernel.Dealer(kernel.Connection.StdinPort, "front-end");
        shell.SendMultipartBytes(WireFormat.Encode(Request("execute_request", new JsonObject()), _signer));
        control.SendMultipartBytes(WireFormat.Encode(Request("interrupt_request", new JsonObject()), _signer));
        stdin.SendMultipartBytes(WireFormat.Encode(Request("input_reply", new JsonObject { ["value"] = "42" }), _signer));

        var received = new[] { kernel.NextMessage(), kernel.NextMessage(), kernel.NextMessage() }
            .ToDictionary(m => m.Channel, m => m.Message.MessageType);
        Assert.Equal("execute_request", received[Channel.Shell]);
        Assert.Equal("interrupt_request", received[Channel.Control]);
        Assert.Equal("input_reply", received[Channel.Stdin]);

        // A reply from another thread than the channels' reaches control's dealer.
        var parent = Request("interrupt_request", new JsonObject(), identity: "front-end"u8.ToArray());
        var sender = new Thread(() => kernel.Channels.Send(Channel.Control, JupyterMessage.Create("interrupt_reply", new JsonObject(), parent, "kernel")));
        sender.Start();
        Assert.True(sender.Join(Patience));
        Assert.Equal("interrupt_reply", WireFormat.Decode(Receive(control), _signer).MessageType);
    }

    [Fact]
    public void Given_a_subscriber_on_iopub_When_a_status_is_published_Then_it_receives_it_under_the_kernel_topic()
    {
        using var kernel = new RunningKernel();
        using var iopub = new SubscriberSocket();
        iopub.Options.Linger = TimeSpan.Zero;
        iopub.Connect(kernel.Connection.Endpoint(kernel.Connection.IoPubPort));
        iopub.SubscribeToAnyTopic();

        // PUB drops what it publishes before the subscription has reached it, so publish until one arrives.
        var status = JupyterMessage.Create("status", new JsonObject { ["execution_state"] = "idle" }, null, "kernel-7");
        List<byte[]> frames = [];
        var deadline = DateTime.UtcNow + Patience;
        do kernel.Channels.Send(Channel.IoPub, status);
        while (!iopub.TryReceiveMultipartBytes(TimeSpan.FromMilliseconds(50), ref frames) && DateTime.UtcNow < deadline);

        var received = WireFormat.Decode(frames, _signer);
        Assert.Equal("status", received.MessageType);
        Assert.Equal("idle", received.Content["execution_state"]!.GetValue<string>());
        Assert.Equal("kernel.kernel-7.status", Encoding.UTF8.GetString(Assert.Single(received.Identities)));
    }

    [Fact]
    public void Given_a_heartbeat_client_When_it_sends_bytes_Then_the_same_bytes_come_back()
    {
        using var kernel = new RunningKernel();
        using var heartbeat = new RequestSocket();
        heartbeat.Options.Linger = TimeSpan.Zero;
        heartbeat.Connect(kernel.Connection.Endpoint(kernel.Connection.HeartbeatPort));

        byte[][] pings = ["ping"u8.ToArray(), [0, 255, 7]];
        foreach (var ping in pings)
        {
            heartbeat.SendFrame(ping);
            Assert.True(heartbeat.TryReceiveFrameBytes(Patience, out var echo), "no heartbeat echo");
            Assert.Equal(ping, echo);
        }
    }

    [Fact]
    public void Given_running_channels_When_disposed_twice_Then_the_ports_are_free_and_sending_is_refused()
    {
        var kernel = new RunningKernel();
        using (var shell = kernel.Dealer(kernel.Connection.ShellPort, "front-end"))
        {
            shell.SendMultipartBytes(WireFormat.Encode(Request("kernel_info_request", new JsonObject()), _signer));
            kernel.NextMessage();
        }

        kernel.Dispose();
        kernel.Dispose();

        var c = kernel.Connection;
        foreach (var port in new[] { c.ShellPort, c.IoPubPort, c.StdinPort, c.ControlPort, c.HeartbeatPort })
        {
            var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
        }
        Assert.Throws<ObjectDisposedException>(() =>
            kernel.Channels.Send(Channel.Shell, JupyterMessage.Create("status", new JsonObject(), null, "kernel")));
    }

    [Fact]
    public void Given_a_reply_sent_just_before_Dispose_When_disposed_Then_it_still_reaches_the_front_end()
    {
        // A kernel answers shutdown_request and closes at once; the front end waits for that reply.
        var kernel = new RunningKernel();
        using var control = kernel.Dealer(kernel.Connection.ControlPort, "front-end");
        control.SendMultipartBytes(WireFormat.Encode(Request("shutdown_request", new JsonObject { ["restart"] = false }), _signer));
        var request = kernel.NextMessage().Message;

        kernel.Channels.Send(Channel.Control, JupyterMessage.Create("shutdown_reply", new JsonObject { ["status"] = "ok" }, request, "kernel"));
        kernel.Dispose();

        Assert.Equal("shutdown_reply", WireFormat.Decode(Receive(control), _signer).MessageType);
    }

    [Fact]
    public void Given_a_port_already_taken_When_started_Then_the_error_names_the_channel_and_endpoint_and_nothing_stays_bound()
    {
        var connection = RunningKernel.FreeConnection();
        var taken = new TcpListener(IPAddress.Loopback, connection.IoPubPort);
        taken.Start();
        try
        {
            using var channels = new KernelChannels(connection, (_, _) => { }, _ => { });
            var e = Assert.Throws<IOException>(channels.Start);
            Assert.Contains("iopub", e.Message);
            Assert.Contains(connection.Endpoint(connection.IoPubPort), e.Message);
        }
        finally
        {
            taken.Stop();
        }
        var shell = new TcpListener(IPAddress.Loopback, connection.ShellPort);
        shell.Start();
        shell.Stop();
    }

    [Fact]
    public void Given_jupyter_clients_own_client_When_it_waits_for_the_kernel_Then_heartbeat_shell_and_iopub_all_answer_it()
    {
        // jupyter_client's BlockingKernelClient.wait_for_ready, as nbclient calls it: heartbeats until they are
        // answered, then kernel_info requests until a reply comes on shell and a message on iopub.
        var connection = RunningKernel.FreeConnection();
        KernelChannels? channels = null;
        void Answer(Channel channel, JupyterMessage request)
        {
            if (request.MessageType != "kernel_info_request") return;
            channels!.Send(Channel.IoPub, JupyterMessage.Create("status", new JsonObject { ["execution_state"] = "busy" }, request, "kernel"));
            channels.Send(channel, JupyterMessage.Create("kernel_info_reply", new JsonObject
            {
                ["status"] = "ok", ["protocol_version"] = "5.3", ["implementation"] = "aecourse", ["implementation_version"] = "0.1.0",
                ["language_info"] = new JsonObject { ["name"] = "csharp", ["version"] = "14", ["mimetype"] = "text/x-csharp", ["file_extension"] = ".cs" },
                ["banner"] = "", ["help_links"] = new JsonArray(),
            }, request, "kernel"));
            channels.Send(Channel.IoPub, JupyterMessage.Create("status", new JsonObject { ["execution_state"] = "idle" }, request, "kernel"));
        }
        var log = new ConcurrentQueue<string>();
        using (channels = new KernelChannels(connection, Answer, log.Enqueue))
        {
            channels.Start();
            File.WriteAllText(_dir["kernel.json"], new JsonObject
            {
                ["shell_port"] = connection.ShellPort, ["iopub_port"] = connection.IoPubPort, ["stdin_port"] = connection.StdinPort,
                ["control_port"] = connection.ControlPort, ["hb_port"] = connection.HeartbeatPort, ["ip"] = connection.Ip,
                ["key"] = connection.Key, ["transport"] = "tcp", ["signature_scheme"] = "hmac-sha256", ["kernel_name"] = "aecourse",
            }.ToJsonString());

            var output = Python("""
                import sys
                from jupyter_client.blocking import BlockingKernelClient
                client = BlockingKernelClient(connection_file=sys.argv[1])
                client.load_connection_file()
                client.start_channels()
                try:
                    client.wait_for_ready(timeout=10)
                    print(client.kernel_info(reply=True, timeout=5)["content"]["implementation"])
                finally:
                    client.stop_channels()
                """, "", _dir["kernel.json"]);

            Assert.Equal("aecourse", output.Trim());
        }
        Assert.Empty(log);
    }

    // ---- Connection file --------------------------------------------------------------------------------------------

    [Fact]
    public void Given_a_connection_file_as_Jupyter_writes_it_When_read_Then_every_field_is_taken()
    {
        var path = WriteConnectionFile();

        var c = ConnectionInfo.Read(path);

        Assert.Equal(new ConnectionInfo("tcp", "127.0.0.1", 50001, 50002, 50003, 50004, 50005, Key, "hmac-sha256") { KernelName = "aecourse-csharp" }, c);
        Assert.Equal("aecourse-csharp", c.KernelName);
        Assert.Equal("tcp://127.0.0.1:50001", c.Endpoint(c.ShellPort));
        Assert.Equal("tcp://127.0.0.1:5555", (c with { Ip = "localhost" }).Endpoint(5555));
        Assert.Equal("tcp://[::1]:5555", (c with { Ip = "::1" }).Endpoint(5555));
    }

    [Fact]
    public void Given_an_address_other_machines_reach_When_read_Then_it_is_refused_naming_the_file_and_127_0_0_1()
    {
        var path = WriteConnectionFile(ip: "0.0.0.0");

        var e = Assert.Throws<ConnectionFileException>(() => ConnectionInfo.Read(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("0.0.0.0", e.Message);
        Assert.Contains("binds 127.0.0.1 only", e.Message);
    }

    [Theory]
    [InlineData("key", "\"\"", "key is empty")]
    [InlineData("shell_port", null, "shell_port is missing")]
    [InlineData("hb_port", "\"5555\"", "hb_port is \"5555\", not a port number")]
    [InlineData("control_port", "70000", "control_port is 70000, not a port number")]
    [InlineData("transport", "\"ipc\"", "transport is \"ipc\"")]
    [InlineData("signature_scheme", "\"hmac-md5\"", "signature_scheme is \"hmac-md5\"")]
    public void Given_a_field_the_kit_cannot_use_When_read_Then_the_error_names_the_file_and_the_field(string field, string? json, string expected)
    {
        var root = JsonNode.Parse(File.ReadAllText(WriteConnectionFile()))!.AsObject();
        if (json is null) root.Remove(field);
        else root[field] = JsonNode.Parse(json);
        File.WriteAllText(_dir["kernel.json"], root.ToJsonString());

        var e = Assert.Throws<ConnectionFileException>(() => ConnectionInfo.Read(_dir["kernel.json"]));
        Assert.Contains(_dir["kernel.json"], e.Message);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Given_a_file_that_is_not_JSON_or_not_there_When_read_Then_the_error_names_the_file()
    {
        File.WriteAllText(_dir["broken.json"], "{\"shell_port\": 5");
        var e = Assert.Throws<ConnectionFileException>(() => ConnectionInfo.Read(_dir["broken.json"]));
        Assert.Contains(_dir["broken.json"], e.Message);
        Assert.Contains("not valid JSON", e.Message);

        e = Assert.Throws<ConnectionFileException>(() => ConnectionInfo.Read(_dir["missing.json"]));
        Assert.Contains(_dir["missing.json"], e.Message);
        Assert.IsAssignableFrom<FileNotFoundException>(e.InnerException);
    }

    // ---- Helpers ----------------------------------------------------------------------------------------------------

    string WriteConnectionFile(string ip = "127.0.0.1")
    {
        // The layout jupyter_client's write_connection_file produces.
        var path = _dir["connection.json"];
        File.WriteAllText(path, $$"""
            {
              "shell_port": 50001,
              "iopub_port": 50002,
              "stdin_port": 50003,
              "control_port": 50004,
              "hb_port": 50005,
              "ip": "{{ip}}",
              "key": "{{Key}}",
              "transport": "tcp",
              "signature_scheme": "hmac-sha256",
              "kernel_name": "aecourse-csharp"
            }
            """);
        return path;
    }

    /// <summary>A request as a front end makes it: its own session, no parent.</summary>
    static JupyterMessage Request(string type, JsonObject content, byte[]? identity = null) =>
        JupyterMessage.Create(type, content, null, "front-end-session", identity is null ? null : [identity]);

    static int DelimiterIndex(List<byte[]> frames) => frames.FindIndex(f => f.AsSpan().SequenceEqual("<IDS|MSG>"u8));

    static List<byte[]> Receive(NetMQSocket socket)
    {
        var frames = new List<byte[]>();
        Assert.True(socket.TryReceiveMultipartBytes(Patience, ref frames), "nothing arrived within " + Patience);
        return frames;
    }

    /// <summary>Runs Debian's Python on <paramref name="script"/>; returns its stdout, failing on a non-zero exit.</summary>
    static string Python(string script, string stdin, params string[] args)
    {
        var start = new ProcessStartInfo("/usr/bin/python3")
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(stdin);
        process.StandardInput.Close();
        if (!process.WaitForExit(TimeSpan.FromSeconds(20)))
        {
            process.Kill();
            Assert.Fail("python3 ran over 20 s");
        }
        Assert.True(process.ExitCode == 0, $"python3 failed: {stderr.Result}");
        return stdout.Result;
    }

    /// <summary>Kernel channels started on five free loopback ports, recording what they deliver and log.</summary>
    sealed class RunningKernel : IDisposable
    {
        readonly BlockingCollection<(Channel, JupyterMessage)> _delivered = [];
        readonly ConcurrentQueue<string> _log = new();

        public ConnectionInfo Connection { get; } = FreeConnection();
        public KernelChannels Channels { get; }
        public IReadOnlyCollection<string> Log => _log;

        public RunningKernel()
        {
            Channels = new KernelChannels(Connection, (channel, message) => _delivered.Add((channel, message)), _log.Enqueue);
            Channels.Start();
        }

        /// <summary>Five distinct ports that were free a moment ago: bound to port 0 together, then released.</summary>
        public static ConnectionInfo FreeConnection()
        {
            var listeners = Enumerable.Range(0, 5).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
            foreach (var l in listeners) l.Start();
            var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
            foreach (var l in listeners) l.Stop();
            return new ConnectionInfo("tcp", "127.0.0.1", ports[0], ports[1], ports[2], ports[3], ports[4], Key, "hmac-sha256");
        }

        public DealerSocket Dealer(int port, string identity)
        {
            var dealer = new DealerSocket();
            dealer.Options.Linger = TimeSpan.Zero;
            dealer.Options.Identity = Encoding.UTF8.GetBytes(identity);
            dealer.Connect(Connection.Endpoint(port));
            return dealer;
        }

        public (Channel Channel, JupyterMessage Message) NextMessage()
        {
            Assert.True(TryNextMessage(Patience, out var next), "no message delivered within " + Patience);
            return next;
        }

        public bool TryNextMessage(TimeSpan timeout, out (Channel Channel, JupyterMessage Message) next) =>
            _delivered.TryTake(out next, timeout);

        public void Dispose() => Channels.Dispose();
    }
}
