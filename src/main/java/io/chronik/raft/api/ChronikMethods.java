package io.chronik.raft.api;

import akka.stream.Materializer;
import io.chronik.raft.api.grpc.*;
import io.grpc.ServerServiceDefinition;

/** The chronik API ({@code proto/chronik.proto}) for grpc-java's server: each method to its handler. */
final class ChronikMethods {
  private ChronikMethods() {}

  static ServerServiceDefinition of(ChronikPowerApi api, GrpcErrors errors, Materializer materializer) {
    return new GrpcMethods(ChronikPowerApi.name, errors, materializer)
        .unary("Produce", ProduceRequest.parser(), ProduceResponse.getDefaultInstance(), api::produce)
        .unary("Fetch", FetchRequest.parser(), FetchResponse.getDefaultInstance(), api::fetch)
        .unary("Put", PutRequest.parser(), PutResponse.getDefaultInstance(), api::put)
        .unary("Get", GetRequest.parser(), GetResponse.getDefaultInstance(), api::get)
        .unary("Delete", DeleteRequest.parser(), DeleteResponse.getDefaultInstance(), api::delete)
        .unary("CompareAndSet", CompareAndSetRequest.parser(), CompareAndSetResponse.getDefaultInstance(),
            api::compareAndSet)
        .unary("ReadIndex", ReadIndexRequest.parser(), ReadIndexResponse.getDefaultInstance(), api::readIndex)
        .unary("Status", StatusRequest.parser(), StatusResponse.getDefaultInstance(), api::status)
        .unary("Ping", PingRequest.parser(), PingResponse.getDefaultInstance(), api::ping)
        .unary("NodeList", NodeListRequest.parser(), NodeListResponse.getDefaultInstance(), api::nodeList)
        .serverStreaming("NodeAdd", NodeAddRequest.parser(), NodeChangeProgress.getDefaultInstance(), api::nodeAdd)
        .serverStreaming("NodeRemove", NodeRemoveRequest.parser(), NodeChangeProgress.getDefaultInstance(),
            api::nodeRemove)
        .unary("NodeCancel", NodeCancelRequest.parser(), NodeCancelResponse.getDefaultInstance(), api::nodeCancel)
        .unary("LeaderTransfer", LeaderTransferRequest.parser(), LeaderTransferResponse.getDefaultInstance(),
            api::leaderTransfer)
        .unary("TopicCreate", TopicCreateRequest.parser(), TopicCreateResponse.getDefaultInstance(), api::topicCreate)
        .unary("TopicList", TopicListRequest.parser(), TopicListResponse.getDefaultInstance(), api::topicList)
        .unary("TopicDelete", TopicDeleteRequest.parser(), TopicDeleteResponse.getDefaultInstance(), api::topicDelete)
        .build();
  }
}
