namespace Berth.Server.Hosting;

/// <summary>
/// Raises the thread pool's floor: requests here block threads in system calls (fsync of content files and of the
/// metadata log, LiteDB's synchronous reads and commits), and the pool starts with one thread per core, adding more
/// only slowly while they are blocked, so on a small machine requests waited to start behind blocked threads.
/// Measured with bench/push-rate.py (2 cores, 8 clients, six runs against four): about 77 images/s at the default
/// floor, about 86 with a floor of 16 or 64, and a lower p99. A floor set higher (more cores, or
/// <c>DOTNET_ThreadPool_ForceMinWorkerThreads</c>) is kept.
/// </summary>
internal static class BlockingCallThreads
{
    public const int Floor = 32;

    public static void RaiseFloor()
    {
        ThreadPool.GetMinThreads(out var workers, out var completions);
        if (workers < Floor)
        {
            ThreadPool.SetMinThreads(Floor, completions);
        }
    }
}
