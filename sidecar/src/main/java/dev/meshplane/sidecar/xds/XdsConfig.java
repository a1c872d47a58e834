package dev.meshplane.sidecar.xds;

import java.time.Duration;

/**
 * Settings of the sidecar's xDS server and of its shared upstream watches; every default in
 * {@link #defaults()}.
 *
 * @param debounce                how long a service's changes are gathered before its resources
 *                                are recomputed and pushed (one push for a burst of writes)
 * @param includeWarning          whether instances whose worst check is warning receive traffic
 * @param certificateProvider     the bootstrap's certificate provider instance the TLS contexts name
 * @param mtls                    whether Clusters carry an UpstreamTlsContext (clients speak mTLS
 *                                to instances) and server Listeners a DownstreamTlsContext
 * @param maxStreams              ADS streams one sidecar serves at once; more are refused with
 *                                RESOURCE_EXHAUSTED
 * @param maxNamesPerType         resource names one stream may subscribe to per resource type
 * @param maxPendingWatchEvents   watch events queued for one local Watch subscriber before it is
 *                                cut off (as the servers' own limit)
 * @param maxUpstreamBackoff      the longest wait between attempts to re-open a shared upstream watch
 */
public record XdsConfig(Duration debounce, boolean includeWarning, String certificateProvider, boolean mtls,
                        int maxStreams, int maxNamesPerType, int maxPendingWatchEvents, Duration maxUpstreamBackoff) {
    public XdsConfig {
        if (debounce == null || debounce.isNegative() || debounce.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new IllegalArgumentException("debounce " + debounce + " must be between 0 and 1s");
        }
        if (certificateProvider == null || certificateProvider.isBlank()) {
            throw new IllegalArgumentException("certificateProvider \"" + certificateProvider + "\" must not be blank");
        }
        if (maxStreams < 1) {
            throw new IllegalArgumentException("maxStreams " + maxStreams + " must be at least 1");
        }
        if (maxNamesPerType < 1) {
            throw new IllegalArgumentException("maxNamesPerType " + maxNamesPerType + " must be at least 1");
        }
        if (maxPendingWatchEvents < 16) {
            throw new IllegalArgumentException("maxPendingWatchEvents " + maxPendingWatchEvents
                    + " must be at least 16");
        }
        if (maxUpstreamBackoff == null || maxUpstreamBackoff.compareTo(Duration.ofMillis(100)) < 0) {
            throw new IllegalArgumentException("maxUpstreamBackoff " + maxUpstreamBackoff + " must be at least 100ms");
        }
    }

    /** The name `meshctl xds bootstrap` gives the certificate provider instance. */
    public static final String DEFAULT_CERTIFICATE_PROVIDER = "mesh";

    public static XdsConfig defaults() {
        return new XdsConfig(
                Duration.ofMillis(20),          // long enough to merge a burst of writes, far below the 1 s goal
                true,                           // as Consul: warning still serves, critical does not
                DEFAULT_CERTIFICATE_PROVIDER,   // what the bootstrap names its file_watcher provider
                false,                          // plaintext until the application's bootstrap has cert files
                10_000,                         // a sidecar serves one node's applications
                1_000,                          // far more services than one application calls
                4_096,                          // as the servers' WatchConfig
                Duration.ofSeconds(30));        // as the agent's other retries
    }

    public XdsConfig withMtls(boolean on) {
        return new XdsConfig(debounce, includeWarning, certificateProvider, on, maxStreams, maxNamesPerType,
                maxPendingWatchEvents, maxUpstreamBackoff);
    }

    public XdsConfig withIncludeWarning(boolean on) {
        return new XdsConfig(debounce, on, certificateProvider, mtls, maxStreams, maxNamesPerType,
                maxPendingWatchEvents, maxUpstreamBackoff);
    }

    public XdsConfig withDebounce(Duration d) {
        return new XdsConfig(d, includeWarning, certificateProvider, mtls, maxStreams, maxNamesPerType,
                maxPendingWatchEvents, maxUpstreamBackoff);
    }
}
