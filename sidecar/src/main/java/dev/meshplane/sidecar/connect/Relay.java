package dev.meshplane.sidecar.connect;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;

/**
 * Copies bytes from its channel to a peer channel. Until the peer is attached (the other leg
 * is still connecting or handshaking) it holds what arrives and stops reading. Writes are
 * flushed once per read batch; when the peer's outbound buffer is full this channel stops
 * reading until the peer drains (backpressure both ways, so memory stays bounded). Closing
 * either side closes the other after its pending writes. Both channels share one event loop.
 */
final class Relay extends ChannelInboundHandlerAdapter {
    /**
     * How much a channel may queue before its peer stops reading (and below which it reads
     * again). Netty's default of 32/64 KiB turns a bulk transfer into stop-and-go at every
     * 64 KiB; 1 MiB per direction and connection keeps the pipe full and memory still bounded.
     */
    static final io.netty.channel.WriteBufferWaterMark WATER_MARK =
            new io.netty.channel.WriteBufferWaterMark(256 * 1024, 1024 * 1024);
    private final ArrayDeque<Object> held = new ArrayDeque<>();
    private Channel peer;
    private ChannelHandlerContext ctx;

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** Connects this side to {@code other}; call on the event loop. Held bytes go out first. */
    void attach(Channel other) {
        this.peer = other;
        while (!held.isEmpty()) {
            other.write(held.poll());
        }
        other.flush();
        if (!other.isActive()) {
            closeOnFlush(ctx.channel());
            return;
        }
        ctx.channel().config().setAutoRead(other.isWritable());
        ctx.channel().read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (peer == null) {
            held.add(msg);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        if (peer.isActive()) {
            peer.write(msg, peer.voidPromise());
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (peer != null) {
            peer.flush();
            if (!peer.isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (peer != null && ctx.channel().isWritable()) {
            peer.config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        release();
        if (peer != null) {
            closeOnFlush(peer);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        release();
        ctx.close();
        if (peer != null) {
            closeOnFlush(peer);
        }
    }

    private void release() {
        while (!held.isEmpty()) {
            ReferenceCountUtil.release(held.poll());
        }
    }

    static void closeOnFlush(Channel ch) {
        if (ch.isActive()) {
            ch.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
