package io.chronik.raft.persistence;

import akka.actor.ExtendedActorSystem;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import com.google.protobuf.ByteString;
import io.chronik.raft.persistence.proto.Serialized;
import java.io.NotSerializableException;

/** Events and snapshots to bytes and back, with the application's own Akka serialization. */
final class Payloads {
  private final Serialization serialization;

  Payloads(ExtendedActorSystem system) {
    this.serialization = SerializationExtension.get(system);
  }

  /** Throws {@link NotSerializableException} when no serializer is bound to the object's class. */
  Serialized serialize(Object o) throws NotSerializableException {
    Serializer serializer = serialization.findSerializerFor(o);
    // serialize() adds transport information, so that actor references inside get their address.
    scala.util.Try<byte[]> bytes = serialization.serialize(o);
    if (bytes.isFailure()) {
      Throwable e = bytes.failed().get();
      NotSerializableException n = new NotSerializableException("cannot serialize a " + o.getClass().getName()
          + " with " + serializer.getClass().getName() + ": " + e.getMessage());
      n.initCause(e);
      throw n;
    }
    return Serialized.newBuilder().setSerializerId(serializer.identifier())
        .setManifest(Serializers.manifestFor(serializer, o)).setBytes(ByteString.copyFrom(bytes.get())).build();
  }

  Object deserialize(Serialized s) {
    return serialization.deserialize(s.getBytes().toByteArray(), s.getSerializerId(), s.getManifest()).get();
  }
}
