package io.chronik.raft.api;

import akka.grpc.javadsl.Metadata;
import akka.grpc.javadsl.MetadataBuilder;
import akka.grpc.javadsl.MetadataEntry;
import akka.japi.Pair;
import akka.util.ByteString;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A call's request headers as akka-grpc's {@link Metadata}, the type the service methods take
 * (they implement akka-grpc's generated interfaces), read from grpc-java's headers without
 * copying them. The header {@value ClientIdentity#HEADER} is what TLS verified for this
 * connection, never what the client sent under that name.
 */
final class CallMetadata implements Metadata {
  private final io.grpc.Metadata headers;
  private final Optional<String> identity;

  CallMetadata(io.grpc.Metadata headers, Optional<String> identity) {
    this.headers = headers;
    this.identity = identity;
  }

  @Override
  public Optional<String> getText(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    if (k.equals(ClientIdentity.HEADER)) return identity;
    if (k.endsWith(io.grpc.Metadata.BINARY_HEADER_SUFFIX)) return Optional.empty();
    return Optional.ofNullable(headers.get(io.grpc.Metadata.Key.of(k, io.grpc.Metadata.ASCII_STRING_MARSHALLER)));
  }

  @Override
  public Optional<ByteString> getBinary(String key) {
    String k = key.toLowerCase(Locale.ROOT);
    if (!k.endsWith(io.grpc.Metadata.BINARY_HEADER_SUFFIX)) return Optional.empty();
    byte[] value = headers.get(io.grpc.Metadata.Key.of(k, io.grpc.Metadata.BINARY_BYTE_MARSHALLER));
    return Optional.ofNullable(value).map(ByteString::fromArray);
  }

  @Override
  public Map<String, List<MetadataEntry>> asMap() {
    Map<String, List<MetadataEntry>> map = new LinkedHashMap<>();
    for (Pair<String, MetadataEntry> e : asList()) map.computeIfAbsent(e.first(), k -> new ArrayList<>()).add(e.second());
    return map;
  }

  @Override
  public List<Pair<String, MetadataEntry>> asList() {
    return builder().build().asList();
  }

  @Override
  public akka.grpc.scaladsl.Metadata asScala() {
    return builder().build().asScala();
  }

  private MetadataBuilder builder() {
    MetadataBuilder b = new MetadataBuilder();
    for (String key : headers.keys()) {
      if (key.equals(ClientIdentity.HEADER)) continue;
      if (key.endsWith(io.grpc.Metadata.BINARY_HEADER_SUFFIX)) {
        for (byte[] v : headers.getAll(io.grpc.Metadata.Key.of(key, io.grpc.Metadata.BINARY_BYTE_MARSHALLER))) {
          b.addBinary(key, ByteString.fromArray(v));
        }
      } else {
        for (String v : headers.getAll(io.grpc.Metadata.Key.of(key, io.grpc.Metadata.ASCII_STRING_MARSHALLER))) {
          b.addText(key, v);
        }
      }
    }
    identity.ifPresent(id -> b.addText(ClientIdentity.HEADER, id));
    return b;
  }
}
