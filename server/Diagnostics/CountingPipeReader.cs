using System.Buffers;
using System.IO.Pipelines;

namespace Berth.Server.Diagnostics;

/// <summary>A request body reader that counts the bytes its reader consumes (not those it only looks at).</summary>
internal sealed class CountingPipeReader(PipeReader inner, ByteCount bytes) : PipeReader
{
    // What the last read returned: a consumed position is counted from its start.
    private ReadOnlySequence<byte> _read;

    public override bool TryRead(out ReadResult result)
    {
        if (!inner.TryRead(out result))
        {
            return false;
        }

        _read = result.Buffer;
        return true;
    }

    public override ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        var reading = inner.ReadAsync(cancellationToken);
        if (!reading.IsCompletedSuccessfully)
        {
            return AwaitAsync(reading);
        }

        var result = reading.Result;
        _read = result.Buffer;
        return new ValueTask<ReadResult>(result);
    }

    public override void AdvanceTo(SequencePosition consumed)
    {
        Count(consumed);
        inner.AdvanceTo(consumed);
    }

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        Count(consumed);
        inner.AdvanceTo(consumed, examined);
    }

    public override void CancelPendingRead() => inner.CancelPendingRead();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

    private async ValueTask<ReadResult> AwaitAsync(ValueTask<ReadResult> reading)
    {
        var result = await reading.ConfigureAwait(false);
        _read = result.Buffer;
        return result;
    }

    private void Count(SequencePosition consumed)
    {
        bytes.Add(_read.Slice(_read.Start, consumed).Length);
        _read = default;
    }
}
