package dev.meshplane.sidecar.http;

import dev.meshplane.api.ApiLimits;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Settings of the Consul-compatible HTTP API.
 *
 * @param bind             where it listens (port 0 picks a free port)
 * @param maxBodyBytes     largest request body accepted; larger ones are answered 413
 * @param maxKvValueBytes  largest KV value a PUT may carry (413 above it); must match the servers' limit
 * @param maxUrlBytes      longest request line (method, path and query)
 * @param maxHeaderBytes   largest header block
 * @param maxConnections   open connections at once; more are closed on accept
 * @param idleTimeout      a connection with no request in flight is closed after this long
 */
public record HttpConfig(InetSocketAddress bind, int maxBodyBytes, int maxKvValueBytes, int maxUrlBytes,
                         int maxHeaderBytes, int maxConnections, Duration idleTimeout) {
    /** Consul's HTTP port. */
    public static final int DEFAULT_PORT = 8500;
    /** Room for the largest KV value plus a JSON envelope (txn bodies carry values base64-encoded). */
    public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
    /** The servers' default KV value limit (Consul's kv_max_value_size). */
    public static final int DEFAULT_MAX_KV_VALUE_BYTES = ApiLimits.DEFAULT_MAX_KV_VALUE_BYTES;
    /** Long enough for a 512-byte key fully percent-encoded plus parameters. */
    public static final int DEFAULT_MAX_URL_BYTES = 8192;
    public static final int DEFAULT_MAX_HEADER_BYTES = 16384;
    /** Enough for 10,000 parked blocking queries (one connection each) with room to spare. */
    public static final int DEFAULT_MAX_CONNECTIONS = 16384;
    /** Longer than the longest blocking query (10 min + wait/16 jitter). */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(15);

    public HttpConfig {
        if (bind == null) {
            throw new IllegalArgumentException("http bind address must be set");
        }
        if (maxKvValueBytes < 1) {
            throw new IllegalArgumentException("maxKvValueBytes " + maxKvValueBytes + " must be positive");
        }
        if (maxBodyBytes < maxKvValueBytes) {
            throw new IllegalArgumentException("maxBodyBytes " + maxBodyBytes + " must be at least maxKvValueBytes "
                    + maxKvValueBytes);
        }
        if (maxUrlBytes < 256) {
            throw new IllegalArgumentException("maxUrlBytes " + maxUrlBytes + " must be at least 256");
        }
        if (maxHeaderBytes < 1024) {
            throw new IllegalArgumentException("maxHeaderBytes " + maxHeaderBytes + " must be at least 1024");
        }
        if (maxConnections < 1) {
            throw new IllegalArgumentException("maxConnections " + maxConnections + " must be positive");
        }
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idleTimeout " + idleTimeout + " must be positive");
        }
    }

    public static HttpConfig defaults(InetSocketAddress bind) {
        return new HttpConfig(bind, DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_KV_VALUE_BYTES, DEFAULT_MAX_URL_BYTES,
                DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_CONNECTIONS, DEFAULT_IDLE_TIMEOUT);
    }
}
