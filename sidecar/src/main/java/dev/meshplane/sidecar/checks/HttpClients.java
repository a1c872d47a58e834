package dev.meshplane.sidecar.checks;

import dev.meshplane.proto.v1.TlsOptions;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * One JDK HTTP client per distinct TLS setup, shared by the checks that use it (each client owns
 * a selector thread and a connection pool, so one per check would not scale to thousands).
 */
final class HttpClients implements AutoCloseable {
    private final Map<TlsOptions, Entry> clients = new HashMap<>();

    private static final class Entry {
        final HttpClient client;
        int users;

        Entry(HttpClient client) {
            this.client = client;
        }
    }

    final class Lease {
        private final TlsOptions key;
        private final HttpClient client;
        private boolean released;

        private Lease(TlsOptions key, HttpClient client) {
            this.key = key;
            this.client = client;
        }

        HttpClient client() {
            return client;
        }

        void release() {
            synchronized (HttpClients.this) {
                if (released) {
                    return;
                }
                released = true;
                Entry e = clients.get(key);
                if (e != null && --e.users == 0) {
                    clients.remove(key);
                    e.client.shutdownNow();
                }
            }
        }
    }

    /** TLS options are always honoured for https:// URLs; "enabled" only matters to gRPC. */
    synchronized Lease acquire(String field, TlsOptions tls) {
        TlsOptions key = tls.toBuilder().clearEnabled().build();
        Entry e = clients.get(key);
        if (e == null) {
            e = new Entry(build(field, key));
            clients.put(key, e);
        }
        e.users++;
        return new Lease(key, e.client);
    }

    private static HttpClient build(String field, TlsOptions tls) {
        SSLContext context = TlsSetup.sslContext(field, tls);
        SSLParameters params = context.getDefaultSSLParameters();
        if (!tls.getServerName().isEmpty()) {
            params.setServerNames(List.of(new SNIHostName(tls.getServerName())));
        }
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(Duration.ofSeconds(10))
                .sslContext(context)
                .sslParameters(params)
                .build();
    }

    @Override
    public synchronized void close() {
        clients.values().forEach(e -> e.client.shutdownNow());
        clients.clear();
    }
}
