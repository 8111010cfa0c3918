using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using AeCourse.Notebooks.Assistance;
using AeCourse.Notebooks.Execution;
using Microsoft.CodeAnalysis;

namespace AeCourse.Notebooks.Jupyter;

/// <summary>How the kernel runs.</summary>
/// <param name="Folder">The notebook's folder: working directory of the cells and base of their relative paths.</param>
/// <param name="Packages">Answers the cells' <c>#r "nuget: …"</c>.</param>
/// <param name="Log">Where the kernel's own messages go (the Jupyter server's log): rejected messages, failures.</param>
public sealed record KernelOptions(string Folder, IPackageProvider Packages, TextWriter Log)
{
    /// <summary>How long an interrupted cell has to stop before it is reported as not interruptible.</summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary>
/// The kit's Jupyter kernel: Jupyter's messaging protocol 5.3 on the kit's execution core. Shell requests are served one
/// at a time in order (execute, complete, inspect, is_complete, history, kernel_info, comm_info); control requests
/// (interrupt, shutdown) are served at once, even while a cell runs; every shell request is framed by busy and idle on
/// iopub. A message with a bad signature is logged and dropped, never executed.
/// </summary>
public sealed class JupyterKernel : IDisposable
{
    readonly KernelOptions _options;
    readonly KernelChannels _channels;
    readonly ExecutionSession _session;
    readonly Task _started;
    readonly CodeAssistant _assistant;
    readonly HashSet<string> _assistedReferences = new(StringComparer.Ordinal);
    readonly System.Threading.Channels.Channel<JupyterMessage> _shell = System.Threading.Channels.Channel.CreateUnbounded<JupyterMessage>(new System.Threading.Channels.UnboundedChannelOptions { SingleReader = true });
    readonly TaskCompletionSource<bool> _shutdown = new(TaskCreationOptions.RunContinuationsAsynchronously);
    readonly List<(int Line, string Input)> _history = [];
    readonly string _sessionId = Guid.NewGuid().ToString();
    readonly Lock _gate = new();
    CancellationTokenSource? _running;
    int _executionCount;

    /// <param name="connection">The connection file's ports and key.</param>
    /// <param name="options">Folder, packages and log.</param>
    public JupyterKernel(ConnectionInfo connection, KernelOptions options)
    {
        _options = options;
        _session = new ExecutionSession(options.Folder, NotebookName(), options.Packages);
        _assistant = new CodeAssistant([], CSharpKernel.DefaultImports, typeof(KernelGlobals));
        _channels = new KernelChannels(connection, OnMessage, line => Log(line));
        // Roslyn's start-up (a second or two) runs while the front end is told the kernel is there.
        _started = Task.Run(async () =>
        {
            await _session.StartAsync();
            UpdateAssistantReferences();
            await _assistant.WarmUpAsync();   // the first completion then answers in milliseconds, not a second
        });
    }

    /// <summary>Binds the sockets and serves until a shutdown request; returns whether a restart was asked for.</summary>
    public async Task<bool> RunAsync()
    {
        _channels.Start();
        Publish(null, "status", new JsonObject { ["execution_state"] = "starting" });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            // A front end with interrupt_mode "signal" (or a terminal's Ctrl+C) interrupts the cell, not the kernel.
            context.Cancel = true;
            Interrupt();
        });
        _ = ServeShellAsync();
        var restart = await _shutdown.Task;
        _shell.Writer.TryComplete();
        return restart;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _channels.Dispose();
        lock (_gate) _running?.Cancel();
    }

    void OnMessage(Channel channel, JupyterMessage message)
    {
        if (channel == Channel.Control) _ = Task.Run(() => HandleControl(message));
        else if (channel == Channel.Shell) _shell.Writer.TryWrite(message);
        // Nothing is asked for on stdin (input_request is not sent), so nothing there needs an answer.
    }

    void HandleControl(JupyterMessage request)
    {
        try
        {
            switch (request.MessageType)
            {
                case "interrupt_request":
                    Interrupt();
                    Reply(Channel.Control, request, "interrupt_reply", new JsonObject { ["status"] = "ok" });
                    break;
                case "shutdown_request":
                    bool restart = request.Content["restart"]?.GetValue<bool>() ?? false;
                    Reply(Channel.Control, request, "shutdown_reply", new JsonObject { ["status"] = "ok", ["restart"] = restart });
                    _shutdown.TrySetResult(restart);
                    break;
                case "kernel_info_request":
                    Reply(Channel.Control, request, "kernel_info_reply", KernelInfo());
                    break;
                default:
                    Log($"control: {request.MessageType} is not supported; ignored");
                    break;
            }
        }
        catch (Exception e)
        {
            Log($"control: {request.MessageType} failed: {e}");
        }
    }

    async Task ServeShellAsync()
    {
        await foreach (var request in _shell.Reader.ReadAllAsync())
        {
            Publish(request, "status", new JsonObject { ["execution_state"] = "busy" });
            try
            {
                await HandleShellAsync(request);
            }
            catch (Exception e)
            {
                Log($"shell: {request.MessageType} failed: {e}");
            }
            finally
            {
                Publish(request, "status", new JsonObject { ["execution_state"] = "idle" });
            }
        }
    }

    async Task HandleShellAsync(JupyterMessage request)
    {
        var content = request.Content;
        switch (request.MessageType)
        {
            case "kernel_info_request":
                Reply(Channel.Shell, request, "kernel_info_reply", KernelInfo());
                break;
            case "execute_request":
                await ExecuteAsync(request);
                break;
            case "complete_request":
            {
                await _started;
                var code = content["code"]?.GetValue<string>() ?? "";
                var completion = await _assistant.CompleteAsync(code, content["cursor_pos"]?.GetValue<int>() ?? code.Length);
                Reply(Channel.Shell, request, "complete_reply", new JsonObject
                {
                    ["status"] = "ok",
                    ["matches"] = new JsonArray(completion.Matches.Select(m => (JsonNode)JsonValue.Create(m)!).ToArray()),
                    ["cursor_start"] = completion.CursorStart, ["cursor_end"] = completion.CursorEnd,
                    ["metadata"] = new JsonObject
                    {
                        ["_jupyter_types_experimental"] = new JsonArray(completion.Items.Select(i => (JsonNode)new JsonObject
                        {
                            ["text"] = i.Text, ["type"] = i.Type, ["start"] = i.Start, ["end"] = i.End,
                        }).ToArray()),
                    },
                });
                break;
            }
            case "inspect_request":
            {
                await _started;
                var code = content["code"]?.GetValue<string>() ?? "";
                var found = await _assistant.InspectAsync(code, content["cursor_pos"]?.GetValue<int>() ?? code.Length, content["detail_level"]?.GetValue<int>() ?? 0);
                Reply(Channel.Shell, request, "inspect_reply", new JsonObject
                {
                    ["status"] = "ok", ["found"] = found is not null, ["metadata"] = new JsonObject(),
                    ["data"] = found is null ? new JsonObject() : new JsonObject { ["text/plain"] = found.PlainText, ["text/markdown"] = found.Markdown },
                });
                break;
            }
            case "is_complete_request":
            {
                var verdict = CodeAssistant.IsComplete(content["code"]?.GetValue<string>() ?? "");
                var reply = new JsonObject { ["status"] = verdict.Status };
                if (verdict.Status == "incomplete") reply["indent"] = verdict.Indent;
                Reply(Channel.Shell, request, "is_complete_reply", reply);
                break;
            }
            case "history_request":
                Reply(Channel.Shell, request, "history_reply", History(content));
                break;
            case "comm_info_request":
                Reply(Channel.Shell, request, "comm_info_reply", new JsonObject { ["status"] = "ok", ["comms"] = new JsonObject() });
                break;
            case "comm_open":
                // No comm targets (widgets) here: close it at once, as Jupyter kernels do for an unknown target.
                Publish(request, "comm_close", new JsonObject { ["comm_id"] = content["comm_id"]?.DeepClone(), ["data"] = new JsonObject() });
                break;
            case "comm_msg" or "comm_close":
                break;
            case "shutdown_request":   // older clients send it on shell
                HandleControl(request);
                break;
            default:
                Log($"shell: {request.MessageType} is not supported; ignored");
                break;
        }
    }

    async Task ExecuteAsync(JupyterMessage request)
    {
        var content = request.Content;
        var code = content["code"]?.GetValue<string>() ?? "";
        bool silent = content["silent"]?.GetValue<bool>() ?? false;
        bool storeHistory = !silent && (content["store_history"]?.GetValue<bool>() ?? true);
        bool stopOnError = content["stop_on_error"]?.GetValue<bool>() ?? true;
        int count = storeHistory ? ++_executionCount : _executionCount;
        if (!silent) Publish(request, "execute_input", new JsonObject { ["code"] = code, ["execution_count"] = count });
        if (storeHistory) _history.Add((count, code));

        await _started;
        using var interrupt = new CancellationTokenSource();
        lock (_gate) _running = interrupt;
        CellOutcome outcome;
        using (var sink = new IoPubSink((type, body) => { if (!silent) Publish(request, type, body); }))
        {
            outcome = await _session.ExecuteAsync(new CellRequest(code, count, count) { Interrupt = interrupt.Token, StopGrace = _options.StopGrace }, sink);
        }
        lock (_gate) _running = null;
        if (outcome.CompiledCode is { } compiled) _assistant.AddSubmission(compiled);
        UpdateAssistantReferences();

        JsonObject reply;
        if (outcome.Failure is { } failure)
        {
            reply = ErrorReply(failure, outcome.Exception);
            reply["execution_count"] = count;
            Reply(Channel.Shell, request, "execute_reply", reply);
            if (stopOnError) AbortQueuedExecutions();
            return;
        }
        reply = new JsonObject
        {
            ["status"] = "ok", ["execution_count"] = count, ["payload"] = new JsonArray(),
            ["user_expressions"] = await UserExpressionsAsync(content["user_expressions"] as JsonObject),
        };
        Reply(Channel.Shell, request, "execute_reply", reply);
    }

    /// <summary>Each user expression evaluated after the cell, as a display-ready MIME bundle or an error.</summary>
    async Task<JsonObject> UserExpressionsAsync(JsonObject? expressions)
    {
        var results = new JsonObject();
        if (expressions is null) return results;
        foreach (var (name, node) in expressions)
        {
            var captured = new JsonArray();
            var outputs = new CellOutputs(captured);
            var outcome = await _session.ExecuteAsync(new CellRequest(node?.GetValue<string>() ?? "", _executionCount, _executionCount), outputs);
            if (outcome.Failure is { } failure)
                results[name] = ErrorReply(failure, outcome.Exception);
            else
            {
                var result = captured.OfType<JsonObject>().FirstOrDefault(o => o["output_type"]?.GetValue<string>() == "execute_result");
                results[name] = new JsonObject { ["status"] = "ok", ["data"] = result?["data"]?.DeepClone() ?? new JsonObject(), ["metadata"] = new JsonObject() };
            }
        }
        return results;
    }

    /// <summary>The error as the cell's error output gave it, for the execute_reply (and a user expression's result).</summary>
    static JsonObject ErrorReply(CellFailure failure, Exception? exception)
    {
        var (name, value, traceback) = ExecutionSession.ErrorOutput(failure, exception, trace: failure.Kind != "interrupted");
        var reply = IoPubSink.ErrorContent(name, value, traceback);
        reply["status"] = "error";
        return reply;
    }

    /// <summary>After an error, the executions already queued behind it are answered "aborted", not run (ipykernel's stop_on_error).</summary>
    void AbortQueuedExecutions()
    {
        var kept = new List<JupyterMessage>();
        while (_shell.Reader.TryRead(out var queued))
        {
            if (queued.MessageType != "execute_request") { kept.Add(queued); continue; }
            Publish(queued, "status", new JsonObject { ["execution_state"] = "busy" });
            Reply(Channel.Shell, queued, "execute_reply", new JsonObject { ["status"] = "aborted", ["execution_count"] = _executionCount });
            Publish(queued, "status", new JsonObject { ["execution_state"] = "idle" });
        }
        foreach (var message in kept) _shell.Writer.TryWrite(message);
    }

    /// <summary>Asks the running cell to stop: the kit's loops stop at their next step (see <see cref="ExecutionSession"/>).</summary>
    void Interrupt()
    {
        lock (_gate) _running?.Cancel();
    }

    JsonObject History(JsonObject content)
    {
        IEnumerable<(int Line, string Input)> entries = content["hist_access_type"]?.GetValue<string>() switch
        {
            "range" => _history.Where(h => h.Line >= (content["start"]?.GetValue<int>() ?? 0) && h.Line < (content["stop"]?.GetValue<int>() ?? int.MaxValue)),
            "search" => Search(content),
            _ => _history.TakeLast(Math.Max(0, content["n"]?.GetValue<int>() ?? 10)),
        };
        bool output = content["output"]?.GetValue<bool>() ?? false;
        return new JsonObject
        {
            ["status"] = "ok",
            ["history"] = new JsonArray(entries.Select(h => (JsonNode)new JsonArray(0, h.Line, output ? new JsonArray(h.Input, null) : h.Input)).ToArray()),
        };
    }

    IEnumerable<(int Line, string Input)> Search(JsonObject content)
    {
        // Jupyter's pattern is a glob: * any text, ? one character.
        var glob = content["pattern"]?.GetValue<string>() ?? "*";
        var regex = new Regex("^" + Regex.Escape(glob).Replace(@"\*", ".*").Replace(@"\?", ".") + "$", RegexOptions.Singleline);
        var found = _history.Where(h => regex.IsMatch(h.Input));
        if (content["unique"]?.GetValue<bool>() == true) found = found.DistinctBy(h => h.Input);
        return content["n"]?.GetValue<int>() is int n ? found.TakeLast(n) : found;
    }

    JsonObject KernelInfo()
    {
        var version = typeof(JupyterKernel).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";
        return new JsonObject
        {
            ["status"] = "ok",
            ["protocol_version"] = JupyterMessage.ProtocolVersion,
            ["implementation"] = "aecourse",
            ["implementation_version"] = version,
            // "C#" as the kernelspec's language: JupyterLab matches the two case-sensitively when it picks a kernel.
            ["language_info"] = new JsonObject
            {
                ["name"] = "C#", ["version"] = "14.0", ["mimetype"] = "text/x-csharp", ["file_extension"] = ".cs",
                ["pygments_lexer"] = "csharp", ["codemirror_mode"] = "text/x-csharp",
            },
            ["banner"] = $"AeCourse {version}: C# on Roslyn scripting, .NET {Environment.Version}",
            ["help_links"] = new JsonArray(),
            ["debugger"] = false,
        };
    }

    void UpdateAssistantReferences()
    {
        var added = _session.References.Where(r => _assistedReferences.Add(r.Display ?? r.ToString()!)).ToList();
        if (added.Count > 0) _assistant.AddReferences(added);
    }

    void Reply(Channel channel, JupyterMessage request, string type, JsonObject content) =>
        _channels.Send(channel, JupyterMessage.Create(type, content, request, _sessionId, request.Identities));

    void Publish(JupyterMessage? parent, string type, JsonObject content) =>
        _channels.Send(Channel.IoPub, JupyterMessage.Create(type, content, parent, _sessionId));

    void Log(string line)
    {
        lock (_options.Log) _options.Log.WriteLine($"aecourse kernel: {line}");
    }

    /// <summary>How stack traces name the notebook: the file the Jupyter server says the session is for, else "notebook".</summary>
    static string NotebookName() =>
        Environment.GetEnvironmentVariable("JPY_SESSION_NAME") is { Length: > 0 } name ? Path.GetFileName(name) : "notebook";
}
