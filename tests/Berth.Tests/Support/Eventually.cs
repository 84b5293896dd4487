namespace Berth.Tests.Support;

/// <summary>
/// Waits for a condition, with a bound, by looking again at short intervals: for effects that offer nothing to await
/// (a line in another process's output, a scheduled run, files a server writes).
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <returns>Whether the condition held before the bound passed.</returns>
    public static async Task<bool> WaitAsync(Func<Task<bool>> condition, TimeSpan bound)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + bound;
        while (!await condition())
        {
            if (DateTime.UtcNow >= deadline)
            {
                return false;
            }

            await Task.Delay(Interval);
        }

        return true;
    }

    /// <returns>Whether the condition held before the bound passed.</returns>
    public static Task<bool> WaitAsync(Func<bool> condition, TimeSpan bound) => WaitAsync(() => Task.FromResult(condition()), bound);
}
