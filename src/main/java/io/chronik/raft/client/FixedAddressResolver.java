package io.chronik.raft.client;

import io.grpc.Attributes;
import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.Status;
import io.grpc.StatusOr;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;

/**
 * Resolves an akka-grpc client's target to the one address it was made for. akka-grpc 2.1 names
 * its target {@code //host} and resolves it through Akka Discovery; grpc-java 1.5x and later
 * (which chronik needs for its server) no longer hand a target without a scheme to that resolver
 * as it is, and akka-grpc's then refuses it ("target uri should not have null authority"). A
 * client of one node needs no discovery: this resolver answers the node's address.
 */
final class FixedAddressResolver extends NameResolverProvider {
  private final String host;
  private final int port;

  FixedAddressResolver(String host, int port) {
    this.host = host;
    this.port = port;
  }

  @Override
  public NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
    return new NameResolver() {
      private Listener2 listener;

      @Override
      public String getServiceAuthority() {
        return host; // what TLS checks the node's certificate against, as akka-grpc did
      }

      @Override
      public void start(Listener2 listener) {
        this.listener = listener;
        resolve();
      }

      /** The channel asks again after a connection failed: a node that moved to a new IP is found. */
      @Override
      public void refresh() {
        if (listener != null) resolve();
      }

      private void resolve() {
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
          listener.onError(Status.UNAVAILABLE.withDescription("cannot resolve the node's host name '" + host + "'"));
          return;
        }
        listener.onResult(ResolutionResult.newBuilder()
            .setAddressesOrError(StatusOr.fromValue(List.of(new EquivalentAddressGroup(address))))
            .setAttributes(Attributes.EMPTY).build());
      }

      @Override
      public void shutdown() {}
    };
  }

  @Override
  public String getDefaultScheme() {
    return "chronik";
  }

  @Override
  protected boolean isAvailable() {
    return true;
  }

  @Override
  protected int priority() {
    return 5;
  }
}
