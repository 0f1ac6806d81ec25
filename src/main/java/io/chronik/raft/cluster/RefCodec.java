package io.chronik.raft.cluster;

import akka.actor.ExtendedActorSystem;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.javadsl.Adapter;

/**
 * ActorRefs to and from their wire form, for the serializers. The resolver is looked up on first
 * use: serializers are created while the actor system is still starting.
 */
final class RefCodec {
  private final ExtendedActorSystem system;
  private volatile ActorRefResolver resolver;

  RefCodec(ExtendedActorSystem system) {
    this.system = system;
  }

  private ActorRefResolver resolver() {
    ActorRefResolver r = resolver;
    if (r == null) resolver = r = ActorRefResolver.get(Adapter.toTyped(system));
    return r;
  }

  String toWire(ActorRef<?> ref) {
    return resolver().toSerializationFormat(ref);
  }

  <T> ActorRef<T> fromWire(String serialized) {
    return resolver().resolveActorRef(serialized);
  }
}
