package io.chronik.raft.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chronik.raft.cli.Main;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** docker/ cannot run here (no Docker engine): check that it matches what the server reads. */
class DockerFilesTest {
  private static final Path DOCKERFILE = Path.of("docker", "Dockerfile");
  private static final Path COMPOSE = Path.of("docker", "docker-compose.yml");

  /** The environment variables `chronik server` reads: those of reference.conf. */
  private static Set<String> serverVariables() throws java.io.IOException {
    Set<String> vars = new LinkedHashSet<>();
    ReferenceConf.settings().values().forEach(vars::addAll);
    return vars;
  }

  private static List<String> all(Pattern p, String text) {
    List<String> out = new ArrayList<>();
    Matcher m = p.matcher(text);
    while (m.find()) out.add(m.group(1));
    return out;
  }

  @Test
  void everyVariableTheFilesSetIsOneTheServerReads() throws Exception {
    Set<String> known = serverVariables();
    assertTrue(known.containsAll(Set.of("CHRONIK_NODE_ID", "CHRONIK_CLUSTER_NODES", "CHRONIK_CLUSTER_SEEDS", "CHRONIK_GRPC_PORT")), known.toString());
    String files = Files.readString(DOCKERFILE) + Files.readString(COMPOSE);
    for (String v : all(Pattern.compile("\\b(CHRONIK_[A-Z_]+)\\b"), files)) {
      assertTrue(known.contains(v), v + " is set in docker/ but chronik server does not read it; it reads " + known);
    }
  }

  @Test
  void composeRunsOneServicePerNodeWithSeedsOnTheClusterPort() throws Exception {
    String compose = Files.readString(COMPOSE);
    List<String> nodeIds = all(Pattern.compile("CHRONIK_NODE_ID: (\\S+)"), compose);
    String nodes = all(Pattern.compile("CHRONIK_CLUSTER_NODES: (\\S+)"), compose).get(0);
    assertEquals(List.of(nodes.split(",")), nodeIds, "CHRONIK_CLUSTER_NODES lists exactly the services' node ids");
    String port = all(Pattern.compile("CHRONIK_CLUSTER_PORT: \"(\\d+)\""), compose).get(0);
    for (String seed : all(Pattern.compile("CHRONIK_CLUSTER_SEEDS: (\\S+)"), compose).get(0).split(",")) {
      String[] hostPort = seed.split(":");
      assertTrue(nodeIds.contains(hostPort[0]), "seed " + seed + " is a service");
      assertEquals(port, hostPort[1], "seed " + seed + " uses the cluster port");
    }
    for (String id : nodeIds) assertTrue(compose.contains(id + "-data:/var/lib/chronik"), id + " keeps its data in a volume");
    assertTrue(compose.contains("restart: on-failure"), "a node that exits non-zero (downed, failed) is restarted");
  }

  @Test
  void theImageRunsTheServerCommandWithFilesThatExist() throws Exception {
    String dockerfile = Files.readString(DOCKERFILE);
    for (String copied : all(Pattern.compile("(?m)^COPY (?!--)(\\S+) "), dockerfile)) {
      assertTrue(Files.exists(Path.of(copied)), "Dockerfile copies " + copied + " which does not exist");
    }
    Matcher entry = Pattern.compile("\"(io\\.chronik\\.raft\\.[\\w.]+)\", \"(\\w+)\"").matcher(dockerfile);
    assertTrue(entry.find(), "an entrypoint naming the main class and a command");
    assertEquals(Main.class.getName(), Class.forName(entry.group(1)).getName());
    assertTrue(new CommandLine(new Main()).getSubcommands().containsKey(entry.group(2)), "command " + entry.group(2));
    String exposed = all(Pattern.compile("(?m)^EXPOSE (.+)$"), dockerfile).get(0);
    assertTrue(exposed.contains(all(Pattern.compile("CHRONIK_GRPC_PORT=(\\d+)"), dockerfile).get(0)), "gRPC port exposed");
    assertTrue(exposed.contains(all(Pattern.compile("CHRONIK_CLUSTER_PORT=(\\d+)"), dockerfile).get(0)), "cluster port exposed");
  }
}
