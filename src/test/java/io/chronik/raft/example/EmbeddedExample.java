package io.chronik.raft.example;

import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.Behaviors;
import akka.pattern.Patterns;
import com.google.protobuf.ByteString;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.chronik.raft.api.ChronikRaft;
import io.chronik.raft.replica.ReadPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * An application that embeds chronik-raft, as the README's "Embedding" section describes: its own
 * {@code application.conf} with only the documented keys, its own ActorSystems (three members in
 * one JVM here; one per process in production), writes and linearizable reads served by followers.
 * {@code EmbeddedExampleTest} runs it in a JVM of its own with Akka's default settings.
 *
 * <p>Run: {@code java -Dconfig.resource=example/application.conf io.chronik.raft.example.EmbeddedExample [first port]}
 */
public final class EmbeddedExample {
  private EmbeddedExample() {}

  public static void main(String[] args) throws Exception {
    int firstPort = args.length > 0 ? Integer.parseInt(args[0]) : 25520;
    List<ActorSystem<Void>> members = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) members.add(member("n" + (i + 1), firstPort + i, firstPort));
      ActorSystem<Void> system = members.get(0);
      awaitLeaders(members);

      // ---- the README's snippet, verbatim ----
      ChronikRaft chronik = ChronikRaft.get(system);   // starts this node's replicas
      CompletionStage<Void> order = chronik.produce("orders", 0, List.of(ByteString.copyFromUtf8("o-1")))
          .thenCompose(p -> chronik.fetch("orders", 0, p.baseOffset(), 100, 1 << 20, Optional.of(ReadPolicy.SAFE), 0))
          .thenAccept(f -> System.out.println(f.records().get(0).toStringUtf8() + " served by " + f.servedBy()));
      CompletionStage<Void> account = chronik.put("accounts", 0, "alice", ByteString.copyFromUtf8("100"))
          .thenCompose(w -> chronik.get("accounts", 0, "alice", Optional.empty(), w.logIndex())) // reads its own write
          .thenAccept(r -> System.out.println("alice = " + r.result().getValue().toStringUtf8() + " by " + r.servedBy()));
      // ---- end of the snippet ----

      // Once both writes are acknowledged, every member's linearizable read sees them, served by its
      // own replica, leader or follower: no waiting, no retrying.
      order.toCompletableFuture().get(30, TimeUnit.SECONDS);
      account.toCompletableFuture().get(30, TimeUnit.SECONDS);
      for (ActorSystem<Void> member : members) {
        String id = member.settings().config().getString("chronik.node-id");
        ChronikRaft.KvRead r = ChronikRaft.get(member).get("accounts", 0, "alice", Optional.of(ReadPolicy.SAFE), 0)
            .toCompletableFuture().get(30, TimeUnit.SECONDS);
        ChronikRaft.Fetched f = ChronikRaft.get(member).fetch("orders", 0, 0, 100, 1 << 20,
            Optional.of(ReadPolicy.SAFE), 0).toCompletableFuture().get(30, TimeUnit.SECONDS);
        if (!r.result().getFound() || f.records().size() != 1) {
          throw new IllegalStateException(id + " does not see the acknowledged writes: alice found="
              + r.result().getFound() + ", " + f.records().size() + " record(s)");
        }
        System.out.printf("%s reads alice = %s and %d record(s), served by %s%n", id,
            r.result().getValue().toStringUtf8(), f.records().size(), r.servedBy());
      }
      System.out.println("example done");
    } finally {
      for (ActorSystem<Void> m : members) m.terminate();
      for (ActorSystem<Void> m : members) m.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  /**
   * One member: its own settings layered over the application's configuration, then loaded, so
   * that defaults derived from the node id (its data directory) follow this member's id.
   */
  static ActorSystem<Void> member(String nodeId, int port, int seedPort) {
    Config settings = ConfigFactory.parseString(String.join("\n",
        "chronik.node-id = " + nodeId,
        "akka.remote.artery.canonical.port = " + port,
        "akka.cluster.roles = [chronik, chronik-node-" + nodeId + "]",
        "akka.cluster.seed-nodes = [\"akka://example@127.0.0.1:" + seedPort + "\"]",
        "akka.cluster.jmx.multi-mbeans-in-same-jvm = on")); // three members in one JVM
    return ActorSystem.create(Behaviors.empty(), "example",
        ConfigFactory.load(settings.withFallback(ConfigFactory.defaultApplication())));
  }

  /**
   * Until each partition has a leader (the members found each other and voted): Akka's
   * {@code Patterns.retry} asks the status again every 100 ms, for up to 60 s.
   */
  private static void awaitLeaders(List<ActorSystem<Void>> members) throws Exception {
    ChronikRaft chronik = ChronikRaft.get(members.get(0));
    members.forEach(ChronikRaft::get);
    for (String group : List.of("orders-0", "accounts-0")) {
      Patterns.retry(() -> chronik.status(group).thenApply(statuses -> {
        if (statuses.stream().noneMatch(st -> st.role().equals("leader"))) {
          throw new IllegalStateException("no leader for " + group + " within 60 s");
        }
        return statuses;
      }), 600, Duration.ofMillis(100), members.get(0).classicSystem().scheduler(), members.get(0).executionContext())
          .toCompletableFuture().get(70, TimeUnit.SECONDS);
    }
  }
}
