package io.chronik.raft.kafka;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The APIs and versions the listener advertises: only versions its golden tests cover
 * ({@code KafkaGoldenBytesTest}). Topic ids (Fetch 13+, Produce 13+) are not served, so the ranges
 * stop before them; clients use the highest version both sides support.
 */
final class SupportedApis {
  record Range(short min, short max) {
    boolean covers(short version) {
      return version >= min && version <= max;
    }
  }

  static final Map<ApiKeys, Range> VERSIONS = new LinkedHashMap<>();

  static {
    VERSIONS.put(ApiKeys.PRODUCE, new Range((short) 3, (short) 11));
    VERSIONS.put(ApiKeys.FETCH, new Range((short) 4, (short) 12));
    VERSIONS.put(ApiKeys.LIST_OFFSETS, new Range((short) 1, (short) 6));
    VERSIONS.put(ApiKeys.METADATA, new Range((short) 1, (short) 12));
    VERSIONS.put(ApiKeys.API_VERSIONS, new Range((short) 0, (short) 4));
    VERSIONS.put(ApiKeys.INIT_PRODUCER_ID, new Range((short) 0, (short) 4));
    VERSIONS.put(ApiKeys.FIND_COORDINATOR, new Range((short) 0, (short) 3));
    VERSIONS.put(ApiKeys.OFFSET_COMMIT, new Range((short) 2, (short) 8));
    VERSIONS.put(ApiKeys.OFFSET_FETCH, new Range((short) 1, (short) 7));
  }

  private SupportedApis() {}

  static boolean supports(ApiKeys api, short version) {
    Range r = VERSIONS.get(api);
    return r != null && r.covers(version);
  }

  static ApiVersionsResponseData.ApiVersionCollection advertised() {
    ApiVersionsResponseData.ApiVersionCollection out = new ApiVersionsResponseData.ApiVersionCollection();
    VERSIONS.forEach((api, r) -> out.add(new ApiVersionsResponseData.ApiVersion().setApiKey(api.id)
        .setMinVersion(r.min()).setMaxVersion(r.max())));
    return out;
  }
}
