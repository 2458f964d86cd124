namespace AsyncFetcher.Core.Fetching;

/// <summary>
/// The plaintext stream of one HTTP/1.x connection (after TLS), as SocketsHttpHandler reads and
/// writes it. It shows each response's bytes to the attempt they belong to (<see cref="Attempt"/>:
/// progress, the min-rate, what the head looked like; with --warc, its capture of the exchange), and
/// it stops the handler's own hidden retry.
/// </summary>
/// <remarks>
/// SocketsHttpHandler re-sends a request on a new connection, up to three times, when a connection
/// ends without a byte of response after the request went out: meant for a keep-alive connection the
/// server had closed while idle, it also fires for a server that reads every request and hangs up,
/// which then sees four requests for each attempt the pipeline counts. Here such an end, on a read
/// started after the request was written, becomes a <see cref="FetchFailureException"/> ("closed
/// early", transient), which the handler does not retry, so the resilience pipeline's retry is the
/// only one. A read started before the request was written (the pool's check of an idle connection)
/// ends as before, so a connection that really was closed while idle is still replaced silently.
/// </remarks>
internal sealed class WireStream(Stream inner) : Stream
{
    // A request was written and no byte of its response has been read yet.
    private volatile bool awaitingResponse;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>Closes the connection under the handler: a response whose framing cannot be trusted must not leave bytes for the next one.</summary>
    public void Poison() => inner.Dispose();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var afterRequest = awaitingResponse;
        var read = await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        Seen(afterRequest, buffer.Span[..read]);
        if (read > 0 && Attempt.Current?.Capture is { } capture)
        {
            // With --warc: the bytes as they came, before any decoding, into the attempt's capture.
            await capture.ReceivedAsync(buffer[..read], cancellationToken).ConfigureAwait(false);
        }
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        var afterRequest = awaitingResponse;
        var read = inner.Read(buffer, offset, count);
        Seen(afterRequest, buffer.AsSpan(offset, read));
        Attempt.Current?.Capture?.Received(buffer.AsSpan(offset, read));
        return read;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Sending();
        return Attempt.Current?.Capture is { } capture ? WriteCapturedAsync(capture, buffer, cancellationToken) : inner.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count)
    {
        Sending();
        Attempt.Current?.Capture?.Sent(buffer.AsSpan(offset, count));
        inner.Write(buffer, offset, count);
    }

    /// <summary>Bytes read; <paramref name="afterRequest"/> says the read began after a request was written and before its response.</summary>
    private void Seen(bool afterRequest, ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty)
        {
            if (afterRequest && awaitingResponse)
            {
                throw new FetchFailureException(FetchErrors.ClosedEarly, transient: true);
            }
            return;
        }
        awaitingResponse = false;
        Attempt.Current?.Received(bytes);
    }

    /// <summary>A request being archived: its bytes into the capture, and the capture named on this flow, so the socket below (<see cref="PeerStream"/>) gives it its address.</summary>
    private async ValueTask WriteCapturedAsync(Output.Warc.HttpCapture capture, ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        capture.Sent(buffer.Span);
        PeerStream.Writing.Value = capture;
        await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
    }

    private void Sending()
    {
        awaitingResponse = true;
        if (Attempt.Current is { } attempt)
        {
            attempt.Connection = this;
        }
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync() => inner.DisposeAsync();
}
