package dev.meshplane.sidecar.gossip.net;

import dev.meshplane.proto.internal.v1.GossipStreamRequest;
import dev.meshplane.proto.internal.v1.GossipStreamResponse;
import dev.meshplane.sidecar.gossip.NodeAddress;
import dev.meshplane.sidecar.gossip.crypto.PacketSecurity;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One request and one response over a fresh TCP connection (push-pull, join, fallback probe),
 * bounded by a deadline. Futures complete on the driver's event loop.
 */
final class StreamClient {
  private final EventLoop loop;
  private final PacketSecurity security;
  private final int maxFrameBytes;
  private final TransportStats stats;

  StreamClient(EventLoop loop, PacketSecurity security, int maxFrameBytes, TransportStats stats) {
    this.loop = loop;
    this.security = security;
    this.maxFrameBytes = maxFrameBytes;
    this.stats = stats;
  }

  CompletableFuture<GossipStreamResponse> exchange(NodeAddress to, GossipStreamRequest request, long timeoutMillis) {
    CompletableFuture<GossipStreamResponse> result = new CompletableFuture<>();
    stats.streamsOut.incrementAndGet();
    if (timeoutMillis <= 0) {
      result.completeExceptionally(new TimeoutException("no time left to reach " + to));
      return result;
    }
    Bootstrap bootstrap = new Bootstrap().group(loop).channel(NioSocketChannel.class)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeoutMillis))
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            StreamFrames.install(ch.pipeline(), maxFrameBytes);
            ch.pipeline().addLast(new SimpleChannelInboundHandler<ByteBuf>() {
              @Override
              protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
                try {
                  result.complete(StreamFrames.response(security, frame));
                } catch (Exception e) {
                  result.completeExceptionally(e);
                }
                ctx.close();
              }

              @Override
              public void channelInactive(ChannelHandlerContext ctx) {
                result.completeExceptionally(new java.io.IOException(to + " closed the connection without a response"));
              }

              @Override
              public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                result.completeExceptionally(cause);
                ctx.close();
              }
            });
          }
        });
    InetSocketAddress address = new InetSocketAddress(to.host(), to.port());
    bootstrap.connect(address).addListener((ChannelFutureListener) connected -> {
      if (!connected.isSuccess()) {
        result.completeExceptionally(connected.cause());
        return;
      }
      Channel ch = connected.channel();
      ch.writeAndFlush(StreamFrames.encode(security, request));
      var timer = loop.schedule(() -> {
        if (result.completeExceptionally(new TimeoutException("no response from " + to + " within " + timeoutMillis + " ms"))) {
          ch.close();
        }
      }, timeoutMillis, TimeUnit.MILLISECONDS);
      result.whenComplete((r, e) -> timer.cancel(false));
    });
    result.whenComplete((r, e) -> {
      if (e != null) {
        stats.streamFailures.incrementAndGet();
      }
    });
    return result;
  }
}
