using System.Diagnostics;

namespace AsyncFetcher.Core.Scheduling;

/// <summary>
/// One host's adaptive pace (<c>--auto-throttle</c>): how many requests may be in flight to it and how far
/// apart, from what its answers measure. AIMD, as TCP's congestion control: the window halves when the host
/// answers 429 or 503 or when its latency doubles, and grows while answers stay fast. Below one request at
/// a time the window becomes a delay between requests, one round trip per lost unit, so the rate keeps
/// falling smoothly. Single-threaded: only the <see cref="HostScheduler"/> calls it, from the engine's loop.
/// </summary>
/// <remarks>
/// <para>It starts at <c>--max-per-host</c>, as the crawl did without it: the first requests to a host go one
/// at a time anyway (robots.txt, then the page that named it), so the latency they measure is the host's
/// unloaded one, and a host that cannot take the full window shows it in the first round. A slow start from
/// one request would cost a fast host several round trips on every crawl.</para>
/// <para>A back-off also remembers the level that drew it (the ceiling): growth then stops one below it, so a
/// host that answers 429 above two requests settles at two instead of being probed into a 429 each round. The
/// ceiling lifts after <see cref="ProbeAfter"/> without a back-off, so a host that recovers is found again.</para>
/// </remarks>
internal sealed class HostThrottle
{
    /// <summary>How long a ceiling holds after the last back-off; then growth may probe above it again.</summary>
    internal static readonly TimeSpan ProbeAfter = TimeSpan.FromMinutes(1);

    /// <summary>The least delay unit below one request at a time, so a host a millisecond away still gets a delay that means something.</summary>
    private static readonly TimeSpan MinimumUnit = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Latency must rise by more than this over its long-run level, as well as double, to count: a few
    /// milliseconds more is the network's or our own queueing (a loopback host at --max 100), not the host's distress.
    /// </summary>
    private static readonly TimeSpan LatencySlack = TimeSpan.FromMilliseconds(50);

    /// <summary>The smoothing of the short-run latency (TCP's SRTT gain): about the last eight answers.</summary>
    private const double ShortGain = 1.0 / 8;

    /// <summary>
    /// How fast the long-run latency follows a rise (a fall it follows at once): slowly, over a few hundred answers, so
    /// it stays near the host's unloaded latency while the window grows into a rise, yet a host that got slower for
    /// good is not held back for ever.
    /// </summary>
    private const double LongGain = 1.0 / 256;

    /// <summary>The short-run latency counts as rising at this many times the long-run one.</summary>
    private const double RisingFactor = 2;

    /// <summary><c>--max-per-host</c>: the window never grows past it.</summary>
    private readonly int max;

    /// <summary><c>--max-crawl-delay</c>: the delay never grows past it.</summary>
    private readonly TimeSpan maxDelay;

    /// <summary>The pace: requests in flight when 1 or more; below 1, one at a time with a delay (see <see cref="Delay"/>).</summary>
    private double window;

    /// <summary>Below this the window grows by one per fast answer (slow start), above it by one per window's worth.</summary>
    private double threshold;

    /// <summary>The lowest level that drew a back-off since <see cref="ceilingUntil"/> was last passed; infinity when none holds.</summary>
    private double ceiling = double.PositiveInfinity;

    /// <summary>When the ceiling lifts.</summary>
    private DateTimeOffset ceilingUntil;

    /// <summary>The most requests in flight since the last back-off: the level a back-off remembers (at the answer, most may have come back).</summary>
    private int peak;

    /// <summary>Answers still due from requests sent before the last back-off: they cannot show its effect, so they do not back off again.</summary>
    private int ignore;

    /// <summary>The short-run latency in milliseconds; negative until the first sample.</summary>
    private double shortMs = -1;

    /// <summary>The long-run latency in milliseconds: follows a fall at once and a rise slowly.</summary>
    private double longMs = -1;

    public HostThrottle(int maxPerHost, TimeSpan maxDelay)
    {
        Debug.Assert(maxPerHost >= 1, "a host needs at least one slot");
        max = maxPerHost;
        this.maxDelay = maxDelay;
        window = maxPerHost;
        threshold = maxPerHost;
    }

    /// <summary>Requests that may be in flight to the host now.</summary>
    public int Limit => window >= 1 ? Math.Min(max, (int)window) : 1;

    /// <summary>
    /// The least time between two requests to the host: zero at one request at a time or more; below it, a
    /// round trip (at least <see cref="MinimumUnit"/>) for each lost part of the window, at most <c>--max-crawl-delay</c>.
    /// </summary>
    public TimeSpan Delay
    {
        get
        {
            if (window >= 1)
            {
                return TimeSpan.Zero;
            }
            var delay = Unit * (1 / window - 1);
            return delay < maxDelay ? delay : maxDelay;
        }
    }

    /// <summary>Answers observed.</summary>
    public long Answers { get; private set; }

    /// <summary>Times the host drew a back-off.</summary>
    public int Backoffs { get; private set; }

    /// <summary>The short-run latency, for the summary; null before the first sample.</summary>
    public TimeSpan? Latency => shortMs < 0 ? null : TimeSpan.FromMilliseconds(shortMs);

    private TimeSpan Unit => shortMs > MinimumUnit.TotalMilliseconds ? TimeSpan.FromMilliseconds(shortMs) : MinimumUnit;

    /// <summary>A request to the host was sent; <paramref name="inFlight"/> counts those out now, this one included.</summary>
    public void Sent(int inFlight) => peak = Math.Max(peak, inFlight);

    /// <summary>
    /// One answer came back. <paramref name="inFlight"/> counts the requests to the host that were out, this one
    /// included; <paramref name="latency"/> is its time when it took one attempt (null when retries' waits are in
    /// it, or no answer came); <paramref name="throttled"/> says an attempt was answered 429 or 503.
    /// Returns true when the limit or the delay changed, or this was the first answer.
    /// </summary>
    public bool Observe(DateTimeOffset now, int inFlight, TimeSpan? latency, bool throttled)
    {
        var (limit, delay, first) = (Limit, Delay, Answers++ == 0);
        var rising = latency is { } sample && Sample(sample.TotalMilliseconds);
        var fromLastRound = ignore > 0;
        if (fromLastRound)
        {
            ignore--;
        }
        // Latency that rises with one request at a time is the host's own slowness (or ours), not a load we put on it.
        var loaded = rising && window > 1 && peak > 1;
        if (throttled || loaded)
        {
            if (!fromLastRound)
            {
                BackOff(now, inFlight, throttled);
            }
        }
        else if (latency is not null)
        {
            Grow(now, inFlight);
        }
        return first || limit != Limit || delay != Delay;
    }

    /// <summary>Takes a latency sample; true when the short-run latency has doubled over the long-run one (and by more than the slack).</summary>
    private bool Sample(double ms)
    {
        if (shortMs < 0)
        {
            shortMs = longMs = ms;
            return false;
        }
        shortMs += (ms - shortMs) * ShortGain;
        longMs = shortMs < longMs ? shortMs : longMs + (shortMs - longMs) * LongGain;
        return shortMs > longMs * RisingFactor && shortMs - longMs > LatencySlack.TotalMilliseconds;
    }

    /// <summary>
    /// Multiplicative decrease: halve the window, remember the level that drew it as the ceiling, and let the round
    /// in flight drain. Only a 429 or 503 takes the window below one request at a time (into a delay): latency is
    /// only read while several are in flight, so it never asks for less than one at a time.
    /// </summary>
    private void BackOff(DateTimeOffset now, int inFlight, bool throttled)
    {
        Backoffs++;
        var level = window >= 1 ? Math.Min(window, Math.Max(peak, 1)) : window;
        peak = 0;
        ceiling = Math.Min(ceiling, level);
        ceilingUntil = now + ProbeAfter;
        window = Math.Max(window / 2, throttled ? MinimumWindow : 1);
        threshold = window;
        ignore = inFlight - 1;
    }

    /// <summary>Additive increase, while the host uses its window: one per answer below the threshold, else one per window's worth; below one at a time, an eighth per answer.</summary>
    private void Grow(DateTimeOffset now, int inFlight)
    {
        if (ceiling < double.PositiveInfinity && now >= ceilingUntil)
        {
            ceiling = double.PositiveInfinity;
        }
        // A host given fewer requests than its window allows (too few URLs, or --delay) shows nothing about more.
        if (window >= 1 && inFlight * 2 < Limit)
        {
            return;
        }
        var grown = window < 1 ? window * 9 / 8 : window < threshold ? window + 1 : window + 1 / window;
        var cap = ceiling >= 2 ? ceiling - 1 : ceiling * 7 / 8;
        window = Math.Min(Math.Min(grown, cap), max);
        window = Math.Max(window, MinimumWindow);
    }

    /// <summary>The smallest window: the one whose delay is <c>--max-crawl-delay</c>.</summary>
    private double MinimumWindow => Unit / (Unit + maxDelay);
}
