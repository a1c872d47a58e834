package dev.meshplane.sidecar.checks;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;

/** A TCP connect: passing when the connection is accepted, critical otherwise. */
final class TcpProbe implements Probe {
    private final Targets.HostPort target;

    TcpProbe(String field, String address) {
        this.target = Targets.hostPort(field, address);
    }

    @Override
    public CheckResult run(Duration timeout) {
        String what = "TCP connect " + target;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(target.host(), target.port()), (int) Math.max(1, timeout.toMillis()));
            return CheckResult.passing(what + ": Success");
        } catch (SocketTimeoutException e) {
            return CheckResult.critical(what + ": no answer within " + Outputs.duration(timeout));
        } catch (IOException | IllegalArgumentException e) {
            return CheckResult.critical(what + ": " + (e.getMessage() == null ? e.toString() : e.getMessage()));
        }
    }
}
