package io.chronik.raft.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** One scrape of a node's {@code /metrics} (Prometheus text format), as series to value. */
record PrometheusScrape(Map<String, Double> series) {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  static final PrometheusScrape EMPTY = new PrometheusScrape(Map.of());

  static PrometheusScrape fetch(String hostPort) {
    try {
      HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create("http://" + hostPort + "/metrics"))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException("metrics at " + hostPort + " answered HTTP " + response.statusCode());
      }
      return parse(response.body());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while scraping " + hostPort, e);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot scrape metrics at " + hostPort + ": " + e.getMessage(), e);
    }
  }

  static PrometheusScrape parse(String text) {
    Map<String, Double> series = new HashMap<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) continue;
      int space = line.lastIndexOf(' ');
      if (space < 0) continue;
      try {
        series.put(line.substring(0, space).replace(",}", "}"), Double.parseDouble(line.substring(space + 1)));
      } catch (NumberFormatException ignored) {
        // not a sample line
      }
    }
    return new PrometheusScrape(series);
  }

  /** The sum of every series of {@code name} whose labels include each of {@code labels} ("k=\"v\""). */
  double sum(String name, String... labels) {
    double total = 0;
    for (Map.Entry<String, Double> e : series.entrySet()) {
      String key = e.getKey();
      if (!key.equals(name) && !key.startsWith(name + "{")) continue;
      boolean all = true;
      for (String label : labels) all &= key.contains(label);
      if (all) total += e.getValue();
    }
    return total;
  }
}
