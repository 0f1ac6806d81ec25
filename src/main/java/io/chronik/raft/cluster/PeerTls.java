package io.chronik.raft.cluster;

import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;

/**
 * The TLS of the replicas' gRPC streams between nodes: mutual, each end shows a certificate of
 * the cluster's CA ({@code chronik.tls}), as Artery's TLS does between the same nodes.
 */
public record PeerTls(SslContext server, SslContext client) {}
