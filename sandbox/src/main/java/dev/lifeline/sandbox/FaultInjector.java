package dev.lifeline.sandbox;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Makes the emulated Cloudflare API misbehave the ways the real one does, so clients' retry,
 * backoff and resume paths get exercised: rate limiting (429 with {@code retry-after}), server
 * errors, added latency, WAF challenges (HTML with {@code cf-mitigated: challenge}), exports that
 * never finish, downloads whose connection drops mid-body, KV bulk writes that report
 * {@code unsuccessful_keys}, and rollbacks blocked because secrets changed (error 10220).
 *
 * <p>Rules match a route pattern: an optional HTTP method, then a path below {@code /client/v4}
 * where {@code *} matches one path segment and {@code **} any number, e.g.
 * <code>"POST /accounts/*&#47;d1/database/*&#47;export"</code> or <code>"/accounts/**"</code>. A rule applies
 * a given number of times ({@code times}) or, with {@link #UNTIL_CLEARED}, until {@link #clear()}.
 * The first matching rule with applications left wins. It can also count requests per route.
 *
 * <p>Thread-safe: tests may change rules while requests are in flight.
 */
public final class FaultInjector {

    /** Pass as {@code times} to keep a rule active until {@link #clear()}. */
    public static final int UNTIL_CLEARED = -1;

    /** What a matching rule does to a request. */
    enum Kind { RATE_LIMIT, SERVER_ERROR, LATENCY, WAF }

    /** One active rule. */
    static final class Rule {
        final String method;
        final Pattern path;
        final Kind kind;
        final int status;
        final Duration duration;
        final AtomicInteger remaining;

        Rule(String pattern, Kind kind, int times, int status, Duration duration) {
            String p = pattern.trim();
            int space = p.indexOf(' ');
            if (space > 0) {
                this.method = p.substring(0, space).toUpperCase(Locale.ROOT);
                p = p.substring(space + 1).trim();
            } else {
                this.method = null;
            }
            this.path = compile(p);
            this.kind = kind;
            this.status = status;
            this.duration = duration;
            this.remaining = new AtomicInteger(times);
        }

        boolean matches(String m, String p) {
            return (method == null || method.equals(m)) && path.matcher(p).matches();
        }

        boolean take() {
            while (true) {
                int left = remaining.get();
                if (left == UNTIL_CLEARED) {
                    return true;
                }
                if (left <= 0) {
                    return false;
                }
                if (remaining.compareAndSet(left, left - 1)) {
                    return true;
                }
            }
        }
    }

    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final AtomicInteger exportStalls = new AtomicInteger();
    private volatile boolean stallingExports;
    private final AtomicInteger droppedDownloads = new AtomicInteger();
    private volatile long dropAfterBytes;
    private final Set<String> unsuccessfulKvKeys = new LinkedHashSet<>();
    private final Map<String, List<String>> changedSecrets = new LinkedHashMap<>();
    private volatile boolean counting;
    private final Map<String, AtomicInteger> counts = new LinkedHashMap<>();

    FaultInjector() {
    }

    static Pattern compile(String glob) {
        StringBuilder re = new StringBuilder();
        String g = glob.startsWith("/") ? glob : "/" + glob;
        for (int i = 0; i < g.length(); i++) {
            char c = g.charAt(i);
            if (c == '*') {
                if (i + 1 < g.length() && g.charAt(i + 1) == '*') {
                    re.append(".*");
                    i++;
                } else {
                    re.append("[^/]*");
                }
            } else {
                re.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(re.toString());
    }

    /** Answers matching requests with HTTP 429, a {@code retry-after} header (whole seconds) and error 10429 in the error envelope. */
    public FaultInjector rateLimit(String routePattern, int times, Duration retryAfter) {
        Objects.requireNonNull(retryAfter, "retryAfter");
        rules.add(new Rule(routePattern, Kind.RATE_LIMIT, checkTimes(times), 429, retryAfter));
        return this;
    }

    /** Answers matching requests with {@code status} (500..599) and a JSON error envelope. */
    public FaultInjector serverError(String routePattern, int times, int status) {
        if (status < 500 || status > 599) {
            throw new IllegalArgumentException("status must be 5xx");
        }
        rules.add(new Rule(routePattern, Kind.SERVER_ERROR, checkTimes(times), status, Duration.ZERO));
        return this;
    }

    /** Delays matching requests by {@code delay} before handling them normally. */
    public FaultInjector latency(String routePattern, int times, Duration delay) {
        Objects.requireNonNull(delay, "delay");
        rules.add(new Rule(routePattern, Kind.LATENCY, checkTimes(times), 0, delay));
        return this;
    }

    /** Answers matching requests with a 403 HTML challenge page and {@code cf-mitigated: challenge}. */
    public FaultInjector wafChallenge(String routePattern, int times) {
        rules.add(new Rule(routePattern, Kind.WAF, checkTimes(times), 403, Duration.ZERO));
        return this;
    }

    /**
     * Makes the next {@code times} exports (or all, with {@link #UNTIL_CLEARED}) stall: they stay
     * {@code active} for as long as they are polled, until {@link #clear()} lets them finish. An
     * export that is not polled is still cancelled after {@code exportAbandonAfter}.
     */
    public FaultInjector stallExports(int times) {
        exportStalls.set(checkTimes(times));
        stallingExports = true;
        return this;
    }

    /** Closes the connection of the next {@code times} signed-URL downloads after {@code afterBytes} body bytes. */
    public FaultInjector dropDownloads(int times, long afterBytes) {
        if (afterBytes < 0) {
            throw new IllegalArgumentException("afterBytes must not be negative");
        }
        dropAfterBytes = afterBytes;
        droppedDownloads.set(checkTimes(times));
        return this;
    }

    /** KV bulk writes and deletes report these keys in {@code unsuccessful_keys} and leave them untouched. */
    public FaultInjector kvBulkUnsuccessful(Collection<String> keys) {
        synchronized (unsuccessfulKvKeys) {
            unsuccessfulKvKeys.addAll(keys);
        }
        return this;
    }

    /**
     * Makes rollbacks of Worker {@code scriptName} (a deployment of a version older than the newest)
     * fail with error 10220 listing {@code secretNames}, unless the request carries {@code force=true}.
     */
    public FaultInjector rollbackBlockedBySecrets(String scriptName, String... secretNames) {
        synchronized (changedSecrets) {
            changedSecrets.put(scriptName, List.of(secretNames));
        }
        return this;
    }

    /** Starts (or stops) counting requests per method and path. */
    public FaultInjector countRequests(boolean enabled) {
        counting = enabled;
        return this;
    }

    /** How many counted requests matched {@code routePattern} (same syntax as the rules). */
    public int requestCount(String routePattern) {
        Rule probe = new Rule(routePattern, Kind.LATENCY, 0, 0, Duration.ZERO);
        int total = 0;
        synchronized (counts) {
            for (Map.Entry<String, AtomicInteger> e : counts.entrySet()) {
                int space = e.getKey().indexOf(' ');
                if (probe.matches(e.getKey().substring(0, space), e.getKey().substring(space + 1))) {
                    total += e.getValue().get();
                }
            }
        }
        return total;
    }

    /** Removes every rule and switch, lets stalled exports finish, and resets the request counts. */
    public void clear() {
        rules.clear();
        exportStalls.set(0);
        stallingExports = false;
        droppedDownloads.set(0);
        synchronized (unsuccessfulKvKeys) {
            unsuccessfulKvKeys.clear();
        }
        synchronized (changedSecrets) {
            changedSecrets.clear();
        }
        counting = false;
        synchronized (counts) {
            counts.clear();
        }
    }

    // ---------------------------------------------------------------- used by the emulator

    void record(String method, String path) {
        if (counting) {
            synchronized (counts) {
                counts.computeIfAbsent(method + " " + path, k -> new AtomicInteger()).incrementAndGet();
            }
        }
    }

    /** The rules that apply to this request, consumed; latency rules are all returned, others at most one. */
    List<Rule> match(String method, String path) {
        List<Rule> out = new ArrayList<>();
        boolean terminal = false;
        for (Rule r : rules) {
            if (r.matches(method, path)) {
                if (r.kind == Kind.LATENCY) {
                    if (r.take()) {
                        out.add(r);
                    }
                } else if (!terminal && r.take()) {
                    out.add(r);
                    terminal = true;
                }
            }
        }
        return out;
    }

    boolean takeExportStall() {
        while (true) {
            int left = exportStalls.get();
            if (left == UNTIL_CLEARED) {
                return true;
            }
            if (left <= 0) {
                return false;
            }
            if (exportStalls.compareAndSet(left, left - 1)) {
                return true;
            }
        }
    }

    boolean exportsStalled() {
        return stallingExports;
    }

    /** Bytes after which to drop this download's connection, if a drop applies. */
    Optional<Long> takeDownloadDrop() {
        while (true) {
            int left = droppedDownloads.get();
            if (left == UNTIL_CLEARED) {
                return Optional.of(dropAfterBytes);
            }
            if (left <= 0) {
                return Optional.empty();
            }
            if (droppedDownloads.compareAndSet(left, left - 1)) {
                return Optional.of(dropAfterBytes);
            }
        }
    }

    boolean kvBulkFails(String key) {
        synchronized (unsuccessfulKvKeys) {
            return unsuccessfulKvKeys.contains(key);
        }
    }

    List<String> changedSecrets(String script) {
        synchronized (changedSecrets) {
            return changedSecrets.getOrDefault(script, List.of());
        }
    }

    private static int checkTimes(int times) {
        if (times != UNTIL_CLEARED && times < 1) {
            throw new IllegalArgumentException("times must be >= 1 or UNTIL_CLEARED");
        }
        return times;
    }
}
