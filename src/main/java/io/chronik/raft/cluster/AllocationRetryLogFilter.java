package io.chronik.raft.cluster;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.spi.FilterReply;

/**
 * Drops the sharding coordinator's ERROR for an allocation that {@link PlacementAllocationStrategy}
 * declined because the replica's node is not up yet — an expected, retried condition while a
 * cluster starts, which the strategy reports itself at INFO. Every other error passes.
 */
public final class AllocationRetryLogFilter extends Filter<ILoggingEvent> {
  @Override
  public FilterReply decide(ILoggingEvent event) {
    IThrowableProxy t = event.getThrowableProxy();
    boolean expectedRetry = event.getLoggerName().startsWith("akka.cluster.sharding")
        && event.getFormattedMessage().contains("allocation failed")
        && t != null && t.getMessage() != null && t.getMessage().contains(PlacementAllocationStrategy.WAITING);
    return expectedRetry ? FilterReply.DENY : FilterReply.NEUTRAL;
  }
}
