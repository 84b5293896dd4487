namespace Berth.Server.Repositories;

/// <summary>A field of a delta update: absent (<c>default</c>: leave as is) or set, possibly to null (clear it).</summary>
public readonly record struct Optional<T>(bool IsSet, T? Value);

/// <summary>Makes <see cref="Optional{T}"/> values.</summary>
public static class Optional
{
    public static Optional<T> Of<T>(T? value) => new(true, value);
}
