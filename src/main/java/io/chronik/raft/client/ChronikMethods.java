package io.chronik.raft.client;

import com.google.protobuf.Message;
import io.chronik.raft.api.grpc.CompareAndSetRequest;
import io.chronik.raft.api.grpc.CompareAndSetResponse;
import io.chronik.raft.api.grpc.DeleteRequest;
import io.chronik.raft.api.grpc.DeleteResponse;
import io.chronik.raft.api.grpc.FetchRequest;
import io.chronik.raft.api.grpc.FetchResponse;
import io.chronik.raft.api.grpc.GetRequest;
import io.chronik.raft.api.grpc.GetResponse;
import io.chronik.raft.api.grpc.LeaderTransferRequest;
import io.chronik.raft.api.grpc.LeaderTransferResponse;
import io.chronik.raft.api.grpc.NodeAddRequest;
import io.chronik.raft.api.grpc.NodeChangeProgress;
import io.chronik.raft.api.grpc.NodeListRequest;
import io.chronik.raft.api.grpc.NodeListResponse;
import io.chronik.raft.api.grpc.NodeRemoveRequest;
import io.chronik.raft.api.grpc.PingRequest;
import io.chronik.raft.api.grpc.PingResponse;
import io.chronik.raft.api.grpc.ProduceRequest;
import io.chronik.raft.api.grpc.ProduceResponse;
import io.chronik.raft.api.grpc.PutRequest;
import io.chronik.raft.api.grpc.PutResponse;
import io.chronik.raft.api.grpc.ReadIndexRequest;
import io.chronik.raft.api.grpc.ReadIndexResponse;
import io.chronik.raft.api.grpc.StatusRequest;
import io.chronik.raft.api.grpc.StatusResponse;
import io.grpc.MethodDescriptor;
import io.grpc.protobuf.ProtoUtils;

/**
 * The methods of {@code proto/chronik.proto}'s service for plain grpc-java: akka-grpc generates
 * only its own client, which needs an ActorSystem.
 */
final class ChronikMethods {
  static final String SERVICE = "chronik.api.Chronik";

  static final MethodDescriptor<ProduceRequest, ProduceResponse> PRODUCE =
      unary("Produce", ProduceRequest.getDefaultInstance(), ProduceResponse.getDefaultInstance());
  static final MethodDescriptor<FetchRequest, FetchResponse> FETCH =
      unary("Fetch", FetchRequest.getDefaultInstance(), FetchResponse.getDefaultInstance());
  static final MethodDescriptor<PutRequest, PutResponse> PUT =
      unary("Put", PutRequest.getDefaultInstance(), PutResponse.getDefaultInstance());
  static final MethodDescriptor<GetRequest, GetResponse> GET =
      unary("Get", GetRequest.getDefaultInstance(), GetResponse.getDefaultInstance());
  static final MethodDescriptor<DeleteRequest, DeleteResponse> DELETE =
      unary("Delete", DeleteRequest.getDefaultInstance(), DeleteResponse.getDefaultInstance());
  static final MethodDescriptor<CompareAndSetRequest, CompareAndSetResponse> COMPARE_AND_SET = unary(
      "CompareAndSet", CompareAndSetRequest.getDefaultInstance(), CompareAndSetResponse.getDefaultInstance());
  static final MethodDescriptor<ReadIndexRequest, ReadIndexResponse> READ_INDEX =
      unary("ReadIndex", ReadIndexRequest.getDefaultInstance(), ReadIndexResponse.getDefaultInstance());
  static final MethodDescriptor<StatusRequest, StatusResponse> STATUS =
      unary("Status", StatusRequest.getDefaultInstance(), StatusResponse.getDefaultInstance());
  static final MethodDescriptor<PingRequest, PingResponse> PING =
      unary("Ping", PingRequest.getDefaultInstance(), PingResponse.getDefaultInstance());

  static final MethodDescriptor<NodeListRequest, NodeListResponse> NODE_LIST =
      unary("NodeList", NodeListRequest.getDefaultInstance(), NodeListResponse.getDefaultInstance());
  static final MethodDescriptor<NodeAddRequest, NodeChangeProgress> NODE_ADD = method("NodeAdd",
      MethodDescriptor.MethodType.SERVER_STREAMING, NodeAddRequest.getDefaultInstance(),
      NodeChangeProgress.getDefaultInstance());
  static final MethodDescriptor<NodeRemoveRequest, NodeChangeProgress> NODE_REMOVE = method("NodeRemove",
      MethodDescriptor.MethodType.SERVER_STREAMING, NodeRemoveRequest.getDefaultInstance(),
      NodeChangeProgress.getDefaultInstance());
  static final MethodDescriptor<io.chronik.raft.api.grpc.NodeCancelRequest, io.chronik.raft.api.grpc.NodeCancelResponse>
      NODE_CANCEL = unary("NodeCancel", io.chronik.raft.api.grpc.NodeCancelRequest.getDefaultInstance(),
          io.chronik.raft.api.grpc.NodeCancelResponse.getDefaultInstance());
  static final MethodDescriptor<LeaderTransferRequest, LeaderTransferResponse> LEADER_TRANSFER = unary(
      "LeaderTransfer", LeaderTransferRequest.getDefaultInstance(), LeaderTransferResponse.getDefaultInstance());

  static final MethodDescriptor<io.chronik.raft.api.grpc.TopicCreateRequest, io.chronik.raft.api.grpc.TopicCreateResponse>
      TOPIC_CREATE = unary("TopicCreate", io.chronik.raft.api.grpc.TopicCreateRequest.getDefaultInstance(),
          io.chronik.raft.api.grpc.TopicCreateResponse.getDefaultInstance());
  static final MethodDescriptor<io.chronik.raft.api.grpc.TopicListRequest, io.chronik.raft.api.grpc.TopicListResponse>
      TOPIC_LIST = unary("TopicList", io.chronik.raft.api.grpc.TopicListRequest.getDefaultInstance(),
          io.chronik.raft.api.grpc.TopicListResponse.getDefaultInstance());
  static final MethodDescriptor<io.chronik.raft.api.grpc.TopicDeleteRequest, io.chronik.raft.api.grpc.TopicDeleteResponse>
      TOPIC_DELETE = unary("TopicDelete", io.chronik.raft.api.grpc.TopicDeleteRequest.getDefaultInstance(),
          io.chronik.raft.api.grpc.TopicDeleteResponse.getDefaultInstance());

  private ChronikMethods() {}

  private static <Q extends Message, R extends Message> MethodDescriptor<Q, R> unary(String name, Q request,
      R response) {
    return method(name, MethodDescriptor.MethodType.UNARY, request, response);
  }

  private static <Q extends Message, R extends Message> MethodDescriptor<Q, R> method(String name,
      MethodDescriptor.MethodType type, Q request, R response) {
    return MethodDescriptor.<Q, R>newBuilder()
        .setType(type)
        .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE, name))
        .setRequestMarshaller(ProtoUtils.marshaller(request))
        .setResponseMarshaller(ProtoUtils.marshaller(response))
        .build();
  }
}
