using System.Net;
using System.Net.Sockets;

namespace AeCourse.Tests.Support;

/// <summary>How the server answers a request for a path.</summary>
enum Behaviour { Serve, NotFound, Truncate }

/// <summary>A real HTTP server on 127.0.0.1 (a free port) serving files from memory, for download tests.</summary>
sealed class LocalHttpServer : IDisposable
{
    readonly HttpListener _listener = new();
    readonly Dictionary<string, (byte[] Body, Behaviour Behaviour)> _routes = new();
    readonly Task _loop;

    public Uri BaseAddress { get; }

    /// <summary>Number of requests answered so far.</summary>
    public int Requests;

    public LocalHttpServer()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(BaseAddress.ToString());
        _listener.Start();
        _loop = Task.Run(Loop);
    }

    public void Set(string path, byte[] body, Behaviour behaviour = Behaviour.Serve)
    {
        lock (_routes) _routes["/" + path.TrimStart('/')] = (body, behaviour);
    }

    async Task Loop()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync(); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            Interlocked.Increment(ref Requests);
            (byte[] Body, Behaviour Behaviour) route;
            lock (_routes) route = _routes.GetValueOrDefault(context.Request.Url!.AbsolutePath, ([], Behaviour.NotFound));
            var response = context.Response;
            try
            {
                switch (route.Behaviour)
                {
                    case Behaviour.NotFound:
                        response.StatusCode = 404;
                        response.Close();
                        break;
                    case Behaviour.Serve:
                        response.ContentLength64 = route.Body.Length;
                        await response.OutputStream.WriteAsync(route.Body);
                        response.Close();
                        break;
                    case Behaviour.Truncate:
                        // Promise the whole body, send half, then drop the connection.
                        response.ContentLength64 = route.Body.Length;
                        await response.OutputStream.WriteAsync(route.Body.AsMemory(0, route.Body.Length / 2));
                        await response.OutputStream.FlushAsync();
                        response.Abort();
                        break;
                }
            }
            catch (HttpListenerException) { }
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }
}
