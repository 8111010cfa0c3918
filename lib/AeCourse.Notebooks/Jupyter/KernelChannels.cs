using System.Net;
using System.Net.Sockets;
using System.Text;
using NetMQ;
using NetMQ.Sockets;

namespace AeCourse.Notebooks.Jupyter;

/// <summary>The kernel's message channels (messaging.html, "Introduction"); the heartbeat carries no messages.</summary>
public enum Channel
{
    /// <summary>Requests from the front ends (execute, complete, kernel_info, …) and their replies.</summary>
    Shell,
    /// <summary>Like shell, for requests that must not queue behind it: interrupt, shutdown, debug.</summary>
    Control,
    /// <summary>The kernel asks the front end for input (input_request / input_reply).</summary>
    Stdin,
    /// <summary>What the kernel publishes to every front end: status, streams, displays, results, errors.</summary>
    IoPub,
}

/// <summary>
/// The kernel's five sockets, bound on a connection file's endpoints: ROUTER sockets for shell, control and stdin, a
/// PUB socket for iopub, and a heartbeat that echoes what it receives. Well-signed messages are handed to the
/// <c>onMessage</c> callback; everything else is counted, logged and dropped.
/// </summary>
/// <remarks>
/// NetMQ sockets are not thread-safe, so shell, control, stdin and iopub live on one poller thread, which also sends
/// what <see cref="Send"/> queued from any thread. Since the callback only queues work, a long shell request keeps
/// nothing else waiting: control requests are read as soon as they arrive, and each wake-up reads a bounded number of
/// messages from a socket so that a flood on one cannot starve another. The heartbeat runs on a poller of its own, so
/// it answers even when the process is too busy to serve that thread promptly.
/// </remarks>
public sealed class KernelChannels : IDisposable
{
    // How many frame sets one socket may deliver before the poller looks at the others again.
    const int BatchPerWakeup = 64;

    // How long closing sockets may still try to deliver what they hold. Zero would drop a reply queued just before
    // Dispose (shutdown_reply, the last status: idle); closing does not wait for it, and the listening ports are
    // released at once either way.
    static readonly TimeSpan CloseLinger = TimeSpan.FromMilliseconds(200);

    // The longest Dispose waits for NetMQ to release the ports (it takes milliseconds).
    static readonly TimeSpan PortReleaseLimit = TimeSpan.FromSeconds(1);

    readonly ConnectionInfo _connection;
    readonly MessageSigner _signer;
    readonly Action<Channel, JupyterMessage> _onMessage;
    readonly Action<string> _log;
    readonly NetMQQueue<(Channel Channel, List<byte[]> Frames)> _outbox = new();
    readonly ReplayGuard _seen = new();
    readonly Lock _lifecycle = new();
    readonly Dictionary<Channel, NetMQSocket> _sockets = [];
    readonly List<int> _boundPorts = [];
    RouterSocket? _heartbeat;
    NetMQPoller? _poller;
    NetMQPoller? _heartbeatPoller;
    State _state;
    int _rejected;

    enum State { Created, Started, Disposed }

    /// <param name="connection">Where to bind and the key messages are signed with.</param>
    /// <param name="onMessage">
    /// Told of every well-signed message on shell, control and stdin, on the channels' thread; it must return quickly
    /// (queue the work), as nothing else is read while it runs. Exceptions it throws are logged and the message dropped.
    /// </param>
    /// <param name="log">Told one line per frame set rejected (bad signature, malformed, replayed), naming the channel and why.</param>
    public KernelChannels(ConnectionInfo connection, Action<Channel, JupyterMessage> onMessage, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(onMessage);
        ArgumentNullException.ThrowIfNull(log);
        _connection = connection;
        _signer = new MessageSigner(connection.Key);
        _onMessage = onMessage;
        _log = log;
        _outbox.ReceiveReady += (_, _) => SendQueued(BatchPerWakeup);
    }

    /// <summary>How many frame sets were rejected so far.</summary>
    public int Rejected => Volatile.Read(ref _rejected);

    /// <summary>The name the protocol gives a channel (shell, control, stdin, iopub), as log lines write it.</summary>
    public static string NameOf(Channel channel) => channel switch
    {
        Channel.Shell => "shell",
        Channel.Control => "control",
        Channel.Stdin => "stdin",
        Channel.IoPub => "iopub",
        _ => throw new ArgumentOutOfRangeException(nameof(channel)),
    };

    /// <summary>
    /// Binds the five sockets and starts serving them. Throws <see cref="IOException"/> naming the channel and the
    /// endpoint when one cannot be bound (nothing stays bound then).
    /// </summary>
    public void Start()
    {
        lock (_lifecycle)
        {
            ObjectDisposedException.ThrowIf(_state == State.Disposed, this);
            if (_state == State.Started) throw new InvalidOperationException("the kernel channels are already started");
            try
            {
                _sockets[Channel.Shell] = Bind(new RouterSocket(), "shell", _connection.ShellPort);
                _sockets[Channel.Control] = Bind(new RouterSocket(), "control", _connection.ControlPort);
                _sockets[Channel.Stdin] = Bind(new RouterSocket(), "stdin", _connection.StdinPort);
                _sockets[Channel.IoPub] = Bind(new PublisherSocket(), "iopub", _connection.IoPubPort);
                _heartbeat = Bind(new RouterSocket(), "heartbeat", _connection.HeartbeatPort);
            }
            catch
            {
                foreach (var socket in _sockets.Values) socket.Dispose();
                _sockets.Clear();
                _heartbeat?.Dispose();
                _heartbeat = null;
                AwaitPortsClosed();
                throw;
            }

            foreach (var channel in (Channel[])[Channel.Shell, Channel.Control, Channel.Stdin])
                _sockets[channel].ReceiveReady += (_, e) => Receive(channel, e.Socket);
            _poller = [_sockets[Channel.Shell], _sockets[Channel.Control], _sockets[Channel.Stdin], _sockets[Channel.IoPub], _outbox];

            _heartbeat.ReceiveReady += (_, e) => Echo(e.Socket);
            _heartbeatPoller = [_heartbeat];

            // Background threads: a kernel whose host forgets Dispose still exits.
            _poller.RunAsync("jupyter-channels", isBackgroundThread: true);
            _heartbeatPoller.RunAsync("jupyter-heartbeat", isBackgroundThread: true);
            _state = State.Started;
        }
    }

    /// <summary>
    /// Sends <paramref name="message"/> on <paramref name="channel"/>; callable from any thread. On shell, control and
    /// stdin the message goes to its <see cref="JupyterMessage.Identities"/> (a reply made by
    /// <see cref="JupyterMessage.Create"/> has its request's). On iopub its identities are ignored and the topic is
    /// <c>kernel.&lt;session&gt;.&lt;msg_type&gt;</c>, as ipykernel names it; jupyter_client subscribes to every topic.
    /// Messages sent before <see cref="Start"/> wait for it; after <see cref="Dispose"/> this throws.
    /// </summary>
    public void Send(Channel channel, JupyterMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (channel == Channel.IoPub) message = WithTopic(message);
        var frames = WireFormat.Encode(message, _signer);
        // Under the lock, so that nothing is queued after Dispose has flushed the queue for the last time.
        lock (_lifecycle)
        {
            ObjectDisposedException.ThrowIf(_state == State.Disposed, this);
            _outbox.Enqueue((channel, frames));
        }
    }

    /// <summary>
    /// Stops both threads, sends what was queued before, and closes the sockets; returns once their ports are free
    /// (NetMQ releases them a few milliseconds after closing). Safe to call twice; must not be called from the
    /// <c>onMessage</c> callback (its thread is the one being stopped).
    /// </summary>
    /// <remarks>
    /// NetMQ's global context is left alone: <c>NetMQConfig.Cleanup</c> would end every NetMQ socket in the process,
    /// other kernels' too. A host that wants NetMQ's I/O thread gone before exit calls <c>NetMQConfig.Cleanup(false)</c>
    /// itself once everything is disposed.
    /// </remarks>
    public void Dispose()
    {
        lock (_lifecycle)
        {
            if (_state == State.Disposed) return;
            if (_poller is { CanExecuteTaskInline: true } || _heartbeatPoller is { CanExecuteTaskInline: true })
                throw new InvalidOperationException("KernelChannels.Dispose was called from the channels' own thread (the onMessage callback); queue it instead");
            _state = State.Disposed;
        }

        // Stopping a poller waits for its thread to leave the loop; only then may its sockets be used here and closed
        // (NetMQ requires a poller to be disposed before the sockets it watches).
        _heartbeatPoller?.Dispose();
        _heartbeat?.Dispose();
        _poller?.Dispose();
        if (_poller is not null) SendQueued(int.MaxValue);
        foreach (var socket in _sockets.Values) socket.Dispose();
        _sockets.Clear();
        _outbox.Dispose();
        AwaitPortsClosed();
    }

    T Bind<T>(T socket, string name, int port) where T : NetMQSocket
    {
        socket.Options.Linger = CloseLinger;
        if (_connection.IsIPv6) socket.Options.IPv4Only = false;
        var endpoint = _connection.Endpoint(port);
        try
        {
            socket.Bind(endpoint);
            _boundPorts.Add(port);
            return socket;
        }
        catch (NetMQException e)
        {
            socket.Dispose();
            throw new IOException($"the {name} socket cannot bind {endpoint}: {e.Message}", e);
        }
    }

    // NetMQ closes a socket's listening port on its I/O thread, a few milliseconds after Dispose returns. Waiting for
    // that (within a bound) means whoever binds these ports next, a test or a kernel restarted in this process, finds
    // them free. A port is still listening while a connection to it succeeds; a refused one has been released.
    void AwaitPortsClosed()
    {
        var deadline = Environment.TickCount64 + (long)PortReleaseLimit.TotalMilliseconds;
        foreach (var port in _boundPorts)
            while (IsListening(new IPEndPoint(_connection.Address, port)) && Environment.TickCount64 < deadline)
                Thread.Sleep(1);
        _boundPorts.Clear();
    }

    static bool IsListening(IPEndPoint endpoint)
    {
        using var probe = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // On loopback a connection is accepted or refused at once; the timeout only guards against the unexpected.
            return probe.ConnectAsync(endpoint).Wait(TimeSpan.FromMilliseconds(100));
        }
        catch (AggregateException e) when (e.InnerException is SocketException)
        {
            return false;
        }
    }

    // On the poller thread: read what arrived on a ROUTER socket and hand the good messages on.
    void Receive(Channel channel, NetMQSocket socket)
    {
        // One list for the batch: NetMQ clears it on each receive, and a decoded message keeps copies, not the list.
        var frames = new List<byte[]>();
        for (int i = 0; i < BatchPerWakeup && socket.TryReceiveMultipartBytes(TimeSpan.Zero, ref frames); i++)
            Accept(channel, frames);
    }

    void Accept(Channel channel, List<byte[]> frames)
    {
        JupyterMessage message;
        try
        {
            message = WireFormat.Decode(frames, _signer);
        }
        catch (Exception e) when (e is InvalidSignatureException or MalformedMessageException)
        {
            Reject(channel, e is InvalidSignatureException ? $"bad signature: {e.Message}" : $"malformed: {e.Message}");
            return;
        }

        // jupyter_client refuses a signature it has seen before: a captured message sent again is a replay.
        if (!_seen.Add(SignatureOf(frames)))
        {
            Reject(channel, "duplicate signature: the same signed message was received before (a replay)");
            return;
        }

        try
        {
            _onMessage(channel, message);
        }
        catch (Exception e)
        {
            // The poller's thread must survive a faulty handler, or every channel would go silent.
            Log($"{NameOf(channel)}: the message handler threw on {message.MessageType}: {e}");
        }
    }

    void Reject(Channel channel, string why)
    {
        Interlocked.Increment(ref _rejected);
        Log($"{NameOf(channel)}: rejected a frame set: {why}");
    }

    void Log(string line)
    {
        try
        {
            _log(line);
        }
        catch (Exception)
        {
            // Losing a log line is better than losing the channels' thread.
        }
    }

    // On the poller thread (or in Dispose, once it has stopped): send up to `limit` queued messages.
    void SendQueued(int limit)
    {
        for (int i = 0; i < limit && _outbox.TryDequeue(out var item, TimeSpan.Zero); i++)
        {
            try
            {
                // ROUTER drops messages to unknown peers and PUB drops when nobody keeps up; neither blocks here.
                _sockets[item.Channel].SendMultipartBytes(item.Frames);
            }
            catch (NetMQException e)
            {
                Log($"{NameOf(item.Channel)}: a message could not be sent: {e.Message}");
            }
        }
    }

    // On the heartbeat thread: a ROUTER echoes each frame set to the peer it came from, routing identity first, so
    // both REQ clients (jupyter_client's) and DEALER clients get their bytes back.
    static void Echo(NetMQSocket socket)
    {
        var frames = new List<byte[]>();
        for (int i = 0; i < BatchPerWakeup && socket.TryReceiveMultipartBytes(TimeSpan.Zero, ref frames); i++)
            socket.SendMultipartBytes(frames);
    }

    static JupyterMessage WithTopic(JupyterMessage message) => new()
    {
        Identities = [Encoding.UTF8.GetBytes($"kernel.{message.Session}.{message.MessageType}")],
        Header = message.Header,
        ParentHeader = message.ParentHeader,
        Metadata = message.Metadata,
        Content = message.Content,
        Buffers = message.Buffers,
    };

    static string SignatureOf(List<byte[]> frames)
    {
        int delimiter = frames.FindIndex(f => f.AsSpan().SequenceEqual(WireFormat.Delimiter));
        // Lowercased: Verify reads hex in either case, and the same signature in capitals is still a replay.
        return Encoding.ASCII.GetString(frames[delimiter + 1]).ToLowerInvariant();
    }

    /// <summary>The signatures of the latest messages accepted, to refuse one sent again. Poller thread only.</summary>
    sealed class ReplayGuard
    {
        // As jupyter_client's digest_history_size.
        const int Capacity = 1 << 16;
        readonly HashSet<string> _set = [];
        readonly Queue<string> _order = new();

        public bool Add(string signature)
        {
            if (!_set.Add(signature)) return false;
            _order.Enqueue(signature);
            if (_order.Count > Capacity) _set.Remove(_order.Dequeue());
            return true;
        }
    }
}
