package io.chronik.raft.api;

import akka.NotUsed;
import akka.grpc.javadsl.Metadata;
import akka.stream.Materializer;
import akka.stream.javadsl.Source;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.protobuf.ProtoUtils;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * One gRPC service for grpc-java's server, each method handed to a handler written against
 * akka-grpc's generated interfaces (a {@link CompletionStage} or a {@link Source} per call, with
 * the call's {@link Metadata}). Requests are parsed leniently: a body that is not the method's
 * message reaches the call as the parse error, answered {@code INVALID_ARGUMENT} by
 * {@link GrpcErrors} (grpc-java's own marshaller would answer {@code UNKNOWN} and log a stack
 * trace for every such request).
 */
final class GrpcMethods {
  private final String service;
  private final ServerServiceDefinition.Builder definition;
  private final GrpcErrors errors;
  private final Materializer materializer;

  GrpcMethods(String service, GrpcErrors errors, Materializer materializer) {
    this.service = service;
    this.definition = ServerServiceDefinition.builder(service);
    this.errors = errors;
    this.materializer = materializer;
  }

  <Q extends Message, R extends Message> GrpcMethods unary(String name, Parser<Q> request, R response,
      BiFunction<Q, Metadata, CompletionStage<R>> handler) {
    definition.addMethod(method(name, MethodDescriptor.MethodType.UNARY, request, response),
        new UnaryCall<>(handler, errors));
    return this;
  }

  <Q extends Message, R extends Message> GrpcMethods serverStreaming(String name, Parser<Q> request, R response,
      BiFunction<Q, Metadata, Source<R, NotUsed>> handler) {
    definition.addMethod(method(name, MethodDescriptor.MethodType.SERVER_STREAMING, request, response),
        new SourceCall<>(handler, errors, materializer));
    return this;
  }

  /** A bidirectional stream that answers each request with one response, in order. */
  <Q extends Message, R extends Message> GrpcMethods answerEach(String name, Parser<Q> request, R response,
      Function<Q, R> handler) {
    definition.addMethod(method(name, MethodDescriptor.MethodType.BIDI_STREAMING, request, response),
        new AnswerEachCall<>(handler, errors));
    return this;
  }

  ServerServiceDefinition build() {
    return definition.build();
  }

  private <Q extends Message, R extends Message> MethodDescriptor<Object, R> method(String name,
      MethodDescriptor.MethodType type, Parser<Q> request, R response) {
    return MethodDescriptor.<Object, R>newBuilder().setType(type)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(service, name))
        .setRequestMarshaller(new LenientRequest<>(request))
        .setResponseMarshaller(ProtoUtils.marshaller(response))
        .build();
  }

  /**
   * The request message, or the failure its bytes gave: an {@link InvalidProtocolBufferException},
   * or grpc-java's {@code RESOURCE_EXHAUSTED} for a compressed body that inflates past the limit.
   */
  private record LenientRequest<Q>(Parser<Q> parser) implements MethodDescriptor.Marshaller<Object> {
    @Override
    public InputStream stream(Object value) {
      throw new UnsupportedOperationException("a server never sends a request");
    }

    @Override
    public Object parse(InputStream stream) {
      try {
        return parser.parseFrom(stream.readAllBytes());
      } catch (InvalidProtocolBufferException e) {
        return e;
      } catch (IOException e) {
        return new InvalidProtocolBufferException(e);
      } catch (io.grpc.StatusRuntimeException e) {
        return e;
      }
    }
  }
}
