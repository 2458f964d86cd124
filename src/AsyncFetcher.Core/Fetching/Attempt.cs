using System.Diagnostics;

namespace AsyncFetcher.Core.Fetching;

/// <summary>
/// One HTTP attempt as the connection sees it: the bytes of its response, read as they arrive, and
/// the watch that ends it when it makes no progress. <see cref="WireStream"/> reports every byte read
/// for the attempt in flight on the async flow (<see cref="Current"/>), so what happens before the
/// response head is complete (a status line sent byte by byte, endless 1xx responses) is visible too.
/// </summary>
/// <remarks>
/// Two limits, both on the injected clock:
/// <list type="bullet">
/// <item>--timeout: no useful progress for that long ends the attempt ("timeout", retried). Useful
/// progress is a byte of the final response (its head or body); 1xx heads are not. Until the first
/// byte this bounds connecting, sending and the server's think time, as the attempt timeout did;
/// after it, a body that keeps arriving is never cut however large.</item>
/// <item>--min-rate N/T: from the first byte of the response, each window of T must bring at least N
/// useful bytes, else "too slow" (not retried: a server that answers at a trickle does so by design
/// or by overload, and a second try costs as long again). Like curl's --speed-limit/--speed-time.</item>
/// </list>
/// A timer checks both at the next moment either could fire and re-arms itself; reads only update
/// counters, so the hot path never touches the timer.
/// </remarks>
internal sealed class Attempt : IDisposable
{
    // The attempt whose request is being written or whose response is being read on this async flow.
    // HttpConnection reads and writes its stream from the request's own flow, and offers no other way
    // to tie a connection's bytes to a request; an AsyncLocal is read by nothing but WireStream.
    private static readonly AsyncLocal<Attempt?> Ambient = new();

    private readonly TimeProvider time;
    private readonly long timeoutTicks;
    private readonly TransferRate minRate;
    private readonly long windowTicks;
    private readonly CancellationTokenSource expired = new();
    private readonly CancellationTokenSource linked;
    private readonly Lock gate = new();
    private readonly ITimer timer;

    // All below are guarded by gate.
    /// <summary>Timestamp of the last useful byte, or of the start.</summary>
    private long lastProgress;
    /// <summary>Timestamp at which the current rate window began: the first byte of the response; 0 before it.</summary>
    private long windowStart;
    /// <summary>Useful bytes in the current rate window.</summary>
    private long windowBytes;
    private bool disposed;

    /// <summary>Timestamp of the first byte of a response read for this attempt; 0 before it. Written by the reader alone.</summary>
    private long firstByte;

    // The response head parser, run only by the reader (WireStream), one read at a time.
    private HeadState head = HeadState.StatusLine;
    private int lineLength;
    private bool informational;
    private readonly byte[] statusLine = new byte[16];
    private int statusLineLength;

    public Attempt(TimeProvider time, TimeSpan timeout, TransferRate minRate, CancellationToken cancellationToken)
    {
        this.time = time;
        timeoutTicks = ToTimestamp(timeout);
        this.minRate = minRate;
        windowTicks = minRate.IsSet ? ToTimestamp(minRate.Window) : 0;
        linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, expired.Token);
        Token = linked.Token;
        lastProgress = time.GetTimestamp();
        timer = time.CreateTimer(static state => ((Attempt)state!).Check(), this, timeout, Timeout.InfiniteTimeSpan);
        Ambient.Value = this;
    }

    private enum HeadState
    {
        StatusLine,
        Headers,
        Body,
    }

    /// <summary>The attempt in flight on this async flow, for <see cref="WireStream"/>.</summary>
    public static Attempt? Current => Ambient.Value;

    /// <summary>Cancelled when the caller cancels or a limit ends the attempt.</summary>
    public CancellationToken Token { get; }

    /// <summary>Why a limit ended the attempt ("timeout" or "too slow"); null while it runs.</summary>
    public string? Expired { get; private set; }

    /// <summary>The last status line seen (1xx or final), up to 16 bytes, for error messages.</summary>
    public ReadOnlySpan<byte> StatusLine => statusLine.AsSpan(0, statusLineLength);

    /// <summary>The connection the request went out on, so a response that breaks the framing rules can close it.</summary>
    public WireStream? Connection { get; set; }

    /// <summary>With --warc: the capture of this attempt's exchange, filled by <see cref="WireStream"/>; owned here until <see cref="TakeCapture"/>.</summary>
    public Output.Warc.HttpCapture? Capture { get; set; }

    /// <summary>Hands the capture on (the body was read: it goes with the response); later bytes on the connection are not captured.</summary>
    public Output.Warc.HttpCapture? TakeCapture()
    {
        var capture = Capture;
        Capture = null;
        return capture;
    }

    /// <summary>The response's first bytes do not begin an HTTP/1.x status line: the server speaks something else.</summary>
    public bool NotHttp => statusLineLength >= 5 && !statusLine.AsSpan(0, 5).SequenceEqual("HTTP/"u8);

    /// <summary>The final status line is not <c>HTTP/1.x NNN</c>.</summary>
    public bool BadStatusLine
    {
        get
        {
            var line = statusLine.AsSpan(0, statusLineLength);
            return line.Length < 12 || !line.StartsWith("HTTP/1."u8) || line[8] != ' '
                || !char.IsAsciiDigit((char)line[9]) || !char.IsAsciiDigit((char)line[10]) || !char.IsAsciiDigit((char)line[11]);
        }
    }

    /// <summary>
    /// When the first byte of an answer arrived (a 1xx one included), as a <see cref="TimeProvider"/> timestamp: by
    /// then the server had surely read the request. Null while none has.
    /// </summary>
    public long? AnswerBegan => firstByte == 0 ? null : firstByte;

    /// <summary>Bytes of the response arrived on the connection.</summary>
    public void Received(ReadOnlySpan<byte> bytes)
    {
        var useful = head == HeadState.Body ? bytes.Length : Parse(bytes);
        var now = time.GetTimestamp();
        if (firstByte == 0)
        {
            firstByte = now;
        }
        var startWindow = false;
        lock (gate)
        {
            if (disposed)
            {
                return;
            }
            if (windowStart == 0 && windowTicks > 0)
            {
                windowStart = now;
                startWindow = true;
            }
            if (useful > 0)
            {
                lastProgress = now;
                windowBytes += useful;
            }
            if (startWindow)
            {
                // Once per attempt: the rate window may end before the progress timeout would.
                Arm(now);
            }
        }
    }

    public void Dispose()
    {
        lock (gate)
        {
            disposed = true;
        }
        timer.Dispose();
        // A capture not handed on belongs to an attempt that failed: nothing of it is archived.
        TakeCapture()?.Dispose();
        if (Ambient.Value == this)
        {
            Ambient.Value = null;
        }
        linked.Dispose();
    }

    /// <summary>Reads the head (or heads: 1xx responses come first) and returns how many bytes belong to the final response.</summary>
    private int Parse(ReadOnlySpan<byte> bytes)
    {
        var useful = 0;
        for (var i = 0; i < bytes.Length; i++)
        {
            if (head == HeadState.Body)
            {
                return useful + bytes.Length - i;
            }
            var b = bytes[i];
            lineLength++;
            if (head == HeadState.StatusLine)
            {
                if (statusLineLength < statusLine.Length)
                {
                    statusLine[statusLineLength++] = b;
                }
                if (b != '\n')
                {
                    continue;
                }
                // Only a whole status line tells a 1xx from the final response: until then its bytes are not progress.
                informational = statusLineLength >= 10 && statusLine.AsSpan(0, 5).SequenceEqual("HTTP/"u8) && statusLine[9] == '1';
                if (!informational)
                {
                    useful += lineLength;
                }
                head = HeadState.Headers;
                lineLength = 0;
                continue;
            }
            if (!informational)
            {
                useful++;
            }
            if (b == '\n')
            {
                var blank = lineLength <= 2;
                lineLength = 0;
                if (blank)
                {
                    head = informational ? HeadState.StatusLine : HeadState.Body;
                    if (informational)
                    {
                        statusLineLength = 0;
                    }
                }
            }
        }
        return useful;
    }

    private void Check()
    {
        lock (gate)
        {
            if (disposed || Expired is not null)
            {
                return;
            }
            var now = time.GetTimestamp();
            if (now - lastProgress >= timeoutTicks)
            {
                Expired = "timeout";
            }
            else if (windowStart != 0 && now - windowStart >= windowTicks && windowBytes < minRate.Bytes)
            {
                Expired = FetchErrors.TooSlow;
            }
            else
            {
                if (windowStart != 0 && now - windowStart >= windowTicks)
                {
                    windowStart = now;
                    windowBytes = 0;
                }
                Arm(now);
                return;
            }
        }
        // Outside the lock: cancelling runs the connection's callbacks (it tears the socket down).
        // Never disposed, so a late timer cannot find it gone: a CancellationTokenSource without a timer holds nothing.
        expired.Cancel();
    }

    /// <summary>Sets the timer for the earlier of the progress timeout and the end of the rate window.</summary>
    private void Arm(long now)
    {
        Debug.Assert(gate.IsHeldByCurrentThread);
        var due = lastProgress + timeoutTicks;
        if (windowStart != 0 && windowStart + windowTicks < due)
        {
            due = windowStart + windowTicks;
        }
        var wait = TimeSpan.FromSeconds(Math.Max(0, due - now) / (double)time.TimestampFrequency);
        timer.Change(wait, Timeout.InfiniteTimeSpan);
    }

    private long ToTimestamp(TimeSpan span) => (long)(span.TotalSeconds * time.TimestampFrequency);
}
