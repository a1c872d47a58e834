package dev.meshplane.sidecar.http;

import java.util.concurrent.CompletableFuture;

/** Answers one route. Never blocks: waiting happens in the gRPC call the future stands for. */
@FunctionalInterface
interface Endpoint {
    CompletableFuture<Reply> handle(Request request);
}
