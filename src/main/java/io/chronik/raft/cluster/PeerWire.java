package io.chronik.raft.cluster;

import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * The one gRPC method replica messages travel on between nodes ({@link PeerStreams} to
 * {@link PeerEndpoint}): a client stream of {@link NodeHost.FromPeer} envelopes, each the bytes
 * {@link RaftMessageSerializer} gives it (the same bytes Artery carries), answered by nothing.
 */
public final class PeerWire {
  static final String SERVICE = "chronik.peer.Peer";

  /** The manifest of an envelope in {@link RaftMessageSerializer}. */
  static final String ENVELOPE_MANIFEST = "PEER";

  /** Bytes in, bytes out, as they are on the wire (also what tests use to send raw messages). */
  public static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw Status.INTERNAL.withDescription("cannot read a peer message: " + e.getMessage()).asRuntimeException();
      }
    }
  };

  static final MethodDescriptor<byte[], byte[]> DELIVER = MethodDescriptor.<byte[], byte[]>newBuilder()
      .setType(MethodDescriptor.MethodType.CLIENT_STREAMING)
      .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, "Deliver"))
      .setRequestMarshaller(BYTES)
      .setResponseMarshaller(BYTES)
      .build();

  private PeerWire() {}
}
