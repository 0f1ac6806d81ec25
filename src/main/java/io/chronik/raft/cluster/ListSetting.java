package io.chronik.raft.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import java.util.Arrays;
import java.util.List;

/**
 * A list of strings from the configuration: a HOCON list, or one comma-separated string, which is
 * all an environment variable can give ({@code CHRONIK_CLUSTER_NODES=node-1,node-2,node-3}).
 */
public final class ListSetting {
  private ListSetting() {}

  public static List<String> read(Config config, String path) {
    if (config.getValue(path).valueType() != ConfigValueType.STRING) return config.getStringList(path);
    return Arrays.stream(config.getString(path).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }
}
