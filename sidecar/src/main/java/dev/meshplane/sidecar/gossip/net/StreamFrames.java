package dev.meshplane.sidecar.gossip.net;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.meshplane.proto.internal.v1.GossipStreamRequest;
import dev.meshplane.proto.internal.v1.GossipStreamResponse;
import dev.meshplane.sidecar.gossip.core.MalformedMessageException;
import dev.meshplane.sidecar.gossip.crypto.PacketSecurity;
import dev.meshplane.sidecar.gossip.crypto.PacketSecurity.RejectedPacketException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;

/**
 * TCP frames: a 4-byte big-endian length, then one request or response framed (and sealed)
 * by {@link PacketSecurity} exactly as UDP packets are.
 */
final class StreamFrames {
  private StreamFrames() {}

  static void install(ChannelPipeline pipeline, int maxFrameBytes) {
    pipeline.addLast("frame-decoder",
        new LengthFieldBasedFrameDecoder(maxFrameBytes + PacketSecurity.OVERHEAD, 0, 4, 0, 4));
    pipeline.addLast("frame-encoder", new LengthFieldPrepender(4));
  }

  static ByteBuf encode(PacketSecurity security, com.google.protobuf.MessageLite message) {
    return Unpooled.wrappedBuffer(security.wrap(message.toByteArray()));
  }

  static GossipStreamRequest request(PacketSecurity security, ByteBuf frame)
      throws RejectedPacketException, MalformedMessageException {
    byte[] plain = security.unwrap(ByteBufUtil.getBytes(frame));
    try {
      return GossipStreamRequest.parseFrom(plain);
    } catch (InvalidProtocolBufferException e) {
      throw new MalformedMessageException("stream request is not a valid GossipStreamRequest: " + e.getMessage(), e);
    }
  }

  static GossipStreamResponse response(PacketSecurity security, ByteBuf frame)
      throws RejectedPacketException, MalformedMessageException {
    byte[] plain = security.unwrap(ByteBufUtil.getBytes(frame));
    try {
      return GossipStreamResponse.parseFrom(plain);
    } catch (InvalidProtocolBufferException e) {
      throw new MalformedMessageException("stream response is not a valid GossipStreamResponse: " + e.getMessage(), e);
    }
  }
}
