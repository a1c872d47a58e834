package dev.meshplane.sidecar.dns;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import dev.meshplane.proto.v1.CatalogGrpc;
import dev.meshplane.proto.v1.Consistency;
import dev.meshplane.proto.v1.GetNodeRequest;
import dev.meshplane.proto.v1.GetNodeResponse;
import dev.meshplane.proto.v1.QueryOptions;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.dns.DnsOpCode;
import io.netty.handler.codec.dns.DnsQuery;
import io.netty.handler.codec.dns.DnsResponseCode;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Answers DNS queries, over UDP or TCP: parses the name, gets the data (the watched service
 * view, a stale GetNode read, or a recursor) and writes a response fitted to the transport's
 * size limit. A query whose data is at hand is answered on the event loop without any call.
 */
@ChannelHandler.Sharable
final class DnsHandler extends SimpleChannelInboundHandler<DnsQuery> {
    private static final Logger LOG = Logger.getLogger(DnsHandler.class.getName());
    private static final QueryOptions STALE = QueryOptions.newBuilder()
            .setConsistency(Consistency.CONSISTENCY_STALE).build();

    private final DnsConfig config;
    private final boolean tcp;
    private final QueryNames names;
    private final DnsAnswers answers;
    private final ServiceCache services;
    private final CatalogGrpc.CatalogFutureStub catalog;
    private final Recursors recursors;
    /** UDP only (a handler per UDP socket, each on one event loop): set while a burst of queries is being read. */
    private boolean inReadLoop;

    DnsHandler(DnsConfig config, boolean tcp, QueryNames names, DnsAnswers answers, ServiceCache services,
               CatalogGrpc.CatalogFutureStub catalog, Recursors recursors) {
        this.config = config;
        this.tcp = tcp;
        this.names = names;
        this.answers = answers;
        this.services = services;
        this.catalog = catalog;
        this.recursors = recursors;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DnsQuery query) {
        QueryInfo q = QueryInfo.of(query);
        if (!q.opCode().equals(DnsOpCode.QUERY)) {
            send(ctx, q, Answer.of(DnsResponseCode.NOTIMP), false);
            return;
        }
        if (q.questions() != 1) {
            send(ctx, q, Answer.of(DnsResponseCode.FORMERR), false);
            return;
        }
        if (q.edns() && q.ednsVersion() != 0) {
            send(ctx, q, Answer.of(DnsResponseCode.BADVERS_OR_BADSIG), false);
            return;
        }
        switch (names.parse(q.name())) {
            case Lookup.Foreign f -> forward(ctx, q);
            case Lookup.Apex a -> send(ctx, q, answers.apex(a, q.type()), true);
            case Lookup.Unknown u -> send(ctx, q, answers.nxdomain(u.domain()), true);
            case Lookup.Addr a -> send(ctx, q, answers.foreignDatacenter(a.datacenter())
                    ? answers.nxdomain(a.domain()) : answers.addr(a, q.name(), q.type()), true);
            case Lookup.Service s -> service(ctx, q, s);
            case Lookup.Node n -> node(ctx, q, n);
        }
    }

    private void service(ChannelHandlerContext ctx, QueryInfo q, Lookup.Service s) {
        if (answers.foreignDatacenter(s.datacenter())) {
            send(ctx, q, answers.nxdomain(s.domain()), true);
            return;
        }
        ServiceView view = services.peek(s.service());
        if (view != null) {
            send(ctx, q, answers.service(s, q.name(), q.type(), view), true);
            return;
        }
        services.load(s.service()).whenComplete((v, failure) -> {
            if (failure != null) {
                LOG.fine(() -> "cannot answer " + q.name() + ": " + failure);
                boolean invalid = failure instanceof io.grpc.StatusRuntimeException e
                        && e.getStatus().getCode() == io.grpc.Status.Code.INVALID_ARGUMENT;
                send(ctx, q, invalid ? answers.nxdomain(s.domain()) : Answer.of(DnsResponseCode.SERVFAIL), invalid);
            } else {
                send(ctx, q, answers.service(s, q.name(), q.type(), v), true);
            }
        });
    }

    private void node(ChannelHandlerContext ctx, QueryInfo q, Lookup.Node n) {
        if (answers.foreignDatacenter(n.datacenter())) {
            send(ctx, q, answers.nxdomain(n.domain()), true);
            return;
        }
        var call = catalog.getNode(GetNodeRequest.newBuilder().setNode(n.node()).setOptions(STALE).build());
        Futures.addCallback(call, new FutureCallback<>() {
            @Override
            public void onSuccess(GetNodeResponse r) {
                send(ctx, q, r.hasNode()
                        ? answers.node(n, q.name(), q.type(), r.getNode().getAddress(), r.getNode().getMetaMap())
                        : answers.nxdomain(n.domain()), true);
            }

            @Override
            public void onFailure(Throwable t) {
                // An invalid node name is a name that cannot exist; anything else is the servers' trouble.
                boolean invalid = t instanceof io.grpc.StatusRuntimeException e
                        && e.getStatus().getCode() == io.grpc.Status.Code.INVALID_ARGUMENT;
                send(ctx, q, invalid ? answers.nxdomain(n.domain()) : Answer.of(DnsResponseCode.SERVFAIL), invalid);
            }
        }, MoreExecutors.directExecutor());
    }

    private void forward(ChannelHandlerContext ctx, QueryInfo q) {
        if (!recursors.configured()) {
            send(ctx, q, Answer.of(DnsResponseCode.REFUSED), false);
            return;
        }
        recursors.forward(q, tcp, udpLimit(q)).whenComplete((bytes, failure) -> {
            if (failure != null) {
                send(ctx, q, Answer.of(DnsResponseCode.SERVFAIL), false);
                return;
            }
            if (tcp) {
                ctx.writeAndFlush(Unpooled.buffer(bytes.length + 2).writeShort(bytes.length).writeBytes(bytes));
            } else if (bytes.length <= udpLimit(q)) {
                ctx.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(bytes), q.sender(), q.recipient()));
            } else {
                send(ctx, q, new Answer(DnsResponseCode.NOERROR, java.util.List.of(), java.util.List.of(),
                        java.util.List.of()), false, true);
            }
        });
    }

    private int udpLimit(QueryInfo q) {
        if (!q.edns()) {
            return DnsConfig.CLASSIC_UDP_PAYLOAD;
        }
        return Math.min(config.maxUdpPayload(), Math.max(DnsConfig.CLASSIC_UDP_PAYLOAD, q.ednsPayload()));
    }

    private void send(ChannelHandlerContext ctx, QueryInfo q, Answer a, boolean authoritative) {
        send(ctx, q, a, authoritative, false);
    }

    private void send(ChannelHandlerContext ctx, QueryInfo q, Answer a, boolean authoritative, boolean truncated) {
        int limit = tcp ? DnsConfig.MAX_TCP_MESSAGE : udpLimit(q);
        AnswerFitter.Fitted f = AnswerFitter.fit(a, q.name(), q.edns(), limit);
        ResponseWriter.Flags flags = new ResponseWriter.Flags(authoritative, truncated || f.truncated(),
                recursors.configured());
        ByteBuf message = ResponseWriter.write(ctx.alloc(), q, a.rcode(), flags, f, config.maxUdpPayload(), tcp);
        Object out = tcp ? message : new DatagramPacket(message, q.sender(), q.recipient());
        if (!tcp && inReadLoop && ctx.executor().inEventLoop()) {
            // Answered while reading a burst: flushed once at channelReadComplete.
            ctx.write(out, ctx.voidPromise());
        } else {
            ctx.writeAndFlush(out, ctx.voidPromise());
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        inReadLoop = !tcp;
        super.channelRead(ctx, msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        inReadLoop = false;
        ctx.flush();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A malformed packet must not take the UDP listener down: drop it. A TCP peer is cut off.
        LOG.log(Level.FINE, "bad DNS message from " + ctx.channel().remoteAddress(), cause);
        if (tcp) {
            ctx.close();
        }
    }
}
