package io.chronik.raft.api;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.MethodDescriptor;
import com.google.protobuf.Descriptors.ServiceDescriptor;
import io.chronik.raft.api.grpc.reflection.ErrorResponse;
import io.chronik.raft.api.grpc.reflection.FileDescriptorResponse;
import io.chronik.raft.api.grpc.reflection.ListServiceResponse;
import io.chronik.raft.api.grpc.reflection.ServerReflectionRequest;
import io.chronik.raft.api.grpc.reflection.ServerReflectionResponse;
import io.chronik.raft.api.grpc.reflection.ServiceResponse;
import io.grpc.Status;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * gRPC server reflection (v1alpha) over the protobuf descriptors compiled into this jar, so that
 * {@code grpcurl}, {@code grpc_cli} and similar tools list and call a node's services without its
 * proto files. Written here rather than taken from akka-grpc, whose implementation needs the
 * ScalaPB runtime that this project does not ship.
 */
final class ReflectionService {
  private final List<String> services;
  /** Every file by name, and the file defining each fully qualified symbol (service, method, message, enum). */
  private final Map<String, FileDescriptor> files = new LinkedHashMap<>();
  private final Map<String, FileDescriptor> symbols = new HashMap<>();

  ReflectionService(List<ServiceDescriptor> served) {
    this.services = served.stream().map(ServiceDescriptor::getFullName).toList();
    for (ServiceDescriptor s : served) index(s.getFile());
  }

  private void index(FileDescriptor file) {
    if (files.putIfAbsent(file.getName(), file) != null) return;
    for (ServiceDescriptor s : file.getServices()) {
      symbols.put(s.getFullName(), file);
      for (MethodDescriptor m : s.getMethods()) symbols.put(m.getFullName(), file);
    }
    for (Descriptor m : file.getMessageTypes()) indexMessage(m, file);
    for (EnumDescriptor e : file.getEnumTypes()) symbols.put(e.getFullName(), file);
    for (FileDescriptor dependency : file.getDependencies()) index(dependency);
  }

  private void indexMessage(Descriptor message, FileDescriptor file) {
    symbols.put(message.getFullName(), file);
    for (Descriptor nested : message.getNestedTypes()) indexMessage(nested, file);
    for (EnumDescriptor e : message.getEnumTypes()) symbols.put(e.getFullName(), file);
  }

  ServerReflectionResponse answer(ServerReflectionRequest request) {
    ServerReflectionResponse.Builder out = ServerReflectionResponse.newBuilder().setValidHost(request.getHost())
        .setOriginalRequest(request);
    switch (request.getMessageRequestCase()) {
      case LIST_SERVICES -> {
        ListServiceResponse.Builder list = ListServiceResponse.newBuilder();
        for (String s : services) list.addService(ServiceResponse.newBuilder().setName(s));
        out.setListServicesResponse(list);
      }
      case FILE_BY_FILENAME -> withDependencies(out, files.get(request.getFileByFilename()),
          "no file " + request.getFileByFilename());
      case FILE_CONTAINING_SYMBOL -> withDependencies(out, symbols.get(request.getFileContainingSymbol()),
          "no symbol " + request.getFileContainingSymbol());
      case FILE_CONTAINING_EXTENSION, ALL_EXTENSION_NUMBERS_OF_TYPE -> out.setErrorResponse(error(Status.Code.NOT_FOUND,
          "these services use no extensions"));
      default -> out.setErrorResponse(error(Status.Code.INVALID_ARGUMENT, "empty reflection request"));
    }
    return out.build();
  }

  /** The file and every file it imports, transitively, as the protocol asks. */
  private static void withDependencies(ServerReflectionResponse.Builder out, FileDescriptor file, String missing) {
    if (file == null) {
      out.setErrorResponse(error(Status.Code.NOT_FOUND, missing));
      return;
    }
    FileDescriptorResponse.Builder found = FileDescriptorResponse.newBuilder();
    Set<String> seen = new LinkedHashSet<>();
    ArrayDeque<FileDescriptor> todo = new ArrayDeque<>(List.of(file));
    while (!todo.isEmpty()) {
      FileDescriptor f = todo.poll();
      if (!seen.add(f.getName())) continue;
      found.addFileDescriptorProto(f.toProto().toByteString());
      todo.addAll(f.getDependencies());
    }
    out.setFileDescriptorResponse(found);
  }

  private static ErrorResponse error(Status.Code code, String message) {
    return ErrorResponse.newBuilder().setErrorCode(code.value()).setErrorMessage(message).build();
  }
}
