package io.chronik.raft.cluster;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Test client of a node's peer endpoint: writes raw messages on one {@code Deliver} stream. */
final class PeerCalls {
  private PeerCalls() {}

  /** Sends {@code messages} on one stream, half-closes it and returns how the endpoint ended it. */
  static Status deliver(ManagedChannel channel, List<byte[]> messages) throws Exception {
    CompletableFuture<Status> closed = new CompletableFuture<>();
    ClientCall<byte[], byte[]> call = channel.newCall(PeerWire.DELIVER, CallOptions.DEFAULT.withDeadlineAfter(20,
        TimeUnit.SECONDS));
    call.start(new ClientCall.Listener<>() {
      @Override
      public void onClose(Status status, Metadata trailers) {
        closed.complete(status);
      }
    }, new Metadata());
    call.request(1);
    for (byte[] m : messages) call.sendMessage(m);
    call.halfClose();
    return closed.get(30, TimeUnit.SECONDS);
  }
}
