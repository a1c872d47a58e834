package dev.meshplane.sidecar.gossip.net;

import dev.meshplane.proto.internal.v1.GossipStreamRequest;
import dev.meshplane.proto.internal.v1.GossipStreamResponse;
import dev.meshplane.sidecar.gossip.core.MalformedMessageException;
import dev.meshplane.sidecar.gossip.crypto.PacketSecurity;
import dev.meshplane.sidecar.gossip.crypto.PacketSecurity.RejectedPacketException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Serves inbound streams: one request, one response, close. At most {@code maxOpen}
 * connections are served at once; more are refused so that a join storm cannot exhaust us.
 */
final class StreamServer extends ChannelInitializer<SocketChannel> {
  private static final Logger LOG = Logger.getLogger(StreamServer.class.getName());

  private final PacketSecurity security;
  private final int maxFrameBytes;
  private final long timeoutMillis;
  private final int maxOpen;
  private final TransportStats stats;
  private final GossipDriver.StreamHandler handler;
  /** Touched only on the event loop. */
  private int open;

  StreamServer(PacketSecurity security, int maxFrameBytes, long timeoutMillis, int maxOpen, TransportStats stats,
      GossipDriver.StreamHandler handler) {
    this.security = security;
    this.maxFrameBytes = maxFrameBytes;
    this.timeoutMillis = timeoutMillis;
    this.maxOpen = maxOpen;
    this.stats = stats;
    this.handler = handler;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    stats.streamsIn.incrementAndGet();
    if (open >= maxOpen) {
      stats.pushPullsRefused.incrementAndGet();
      LOG.warning(() -> "refusing a gossip stream from " + ch.remoteAddress() + ": " + maxOpen + " already open");
      ch.close();
      return;
    }
    open++;
    ch.closeFuture().addListener(f -> open--);
    ch.pipeline().addLast(new ReadTimeoutHandler(timeoutMillis, TimeUnit.MILLISECONDS));
    StreamFrames.install(ch.pipeline(), maxFrameBytes);
    ch.pipeline().addLast(new SimpleChannelInboundHandler<ByteBuf>() {
      @Override
      protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
        GossipStreamResponse response;
        try {
          response = handler.handle(StreamFrames.request(security, frame));
        } catch (RejectedPacketException e) {
          stats.drop(e.rejection());
          LOG.fine(() -> "dropped a gossip stream from " + ctx.channel().remoteAddress() + ": " + e.getMessage());
          ctx.close();
          return;
        } catch (MalformedMessageException e) {
          stats.malformed.incrementAndGet();
          response = GossipStreamResponse.newBuilder().setError(e.getMessage()).build();
        }
        ctx.writeAndFlush(StreamFrames.encode(security, response)).addListener(ChannelFutureListener.CLOSE);
      }

      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        LOG.log(Level.WARNING, "gossip stream from " + ctx.channel().remoteAddress() + " failed", cause);
        ctx.close();
      }
    });
  }
}
