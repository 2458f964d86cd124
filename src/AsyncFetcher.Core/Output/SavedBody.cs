namespace AsyncFetcher.Core.Output;

/// <summary>
/// One body being saved: a temporary file that the body's chunks are written to as they arrive.
/// <see cref="CommitAsync"/> moves it into the mirror; disposing without committing (a failed or
/// retried attempt) deletes it. A write that fails (disk full) stops the saving, not the fetch.
/// </summary>
internal sealed class SavedBody(BodyStore store, Uri url, string temp, FileStream file) : IAsyncDisposable
{
    private FileStream? file = file;
    private bool committed;

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> chunk, CancellationToken cancellationToken)
    {
        if (file is null)
        {
            return;
        }
        try
        {
            await file.WriteAsync(chunk, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            store.Warn(url, e);
            await CloseAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The body was read to its end (or to --max-body): put the file in place.</summary>
    public async ValueTask CommitAsync(bool isHtml, CancellationToken cancellationToken)
    {
        if (file is null)
        {
            return;
        }
        try
        {
            await file.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            store.Warn(url, e);
            await CloseAsync().ConfigureAwait(false);
            return;
        }
        await CloseAsync().ConfigureAwait(false);
        committed = true;
        store.Commit(url, temp, isHtml);
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync().ConfigureAwait(false);
        if (!committed)
        {
            BodyStore.Discard(temp);
        }
    }

    private async ValueTask CloseAsync()
    {
        if (file is not null)
        {
            var closing = file;
            file = null;
            try
            {
                await closing.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                store.Warn(url, e);
            }
        }
    }
}
