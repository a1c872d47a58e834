package dev.meshplane.sidecar.checks;

import dev.meshplane.proto.v1.CheckDefinition;

/** The real probes, with the connection pools they share. */
final class Probes implements ProbeFactory {
    private final GrpcChannels grpcChannels = new GrpcChannels();
    private final HttpClients httpClients = new HttpClients();

    @Override
    public Probe create(String field, CheckDefinition def) {
        return switch (def.getTargetCase()) {
            case GRPC -> new GrpcProbe(field + ".grpc", def.getGrpc(), grpcChannels);
            case HTTP -> new HttpProbe(field + ".http", def.getHttp(), httpClients);
            case TCP -> new TcpProbe(field + ".tcp.address", def.getTcp().getAddress());
            case SCRIPT -> new ScriptProbe(def.getScript().getArgsList());
            default -> throw new IllegalArgumentException(def.getTargetCase() + " checks have no probe");
        };
    }

    int grpcChannels() {
        return grpcChannels.size();
    }

    @Override
    public void close() {
        grpcChannels.close();
        httpClients.close();
    }
}
