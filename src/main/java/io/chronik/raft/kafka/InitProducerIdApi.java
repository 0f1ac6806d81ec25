package io.chronik.raft.kafka;

import io.chronik.raft.statemachine.kafka.KafkaLogStateMachine;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.Errors;

/**
 * InitProducerId for idempotent producers (no transactions): a random producer id, so any node can
 * hand one out without coordination (two producers share one with odds of about n² / 2^48), at
 * epoch 0; a producer that asks with its id and epoch (version 3 and later, after a failed batch)
 * gets the next epoch, whose sequences start again at 0.
 */
final class InitProducerIdApi {
  InitProducerIdResponseData handle(InitProducerIdRequestData request, short version) {
    InitProducerIdResponseData out = new InitProducerIdResponseData();
    if (request.transactionalId() != null) {
      return out.setErrorCode(Errors.INVALID_REQUEST.code()).setProducerId(-1).setProducerEpoch((short) -1);
    }
    long id = request.producerId();
    short epoch = request.producerEpoch();
    if (version >= 3 && id >= 0 && id <= KafkaLogStateMachine.MAX_PRODUCER_ID && epoch >= 0
        && epoch < Short.MAX_VALUE - 1) {
      return out.setProducerId(id).setProducerEpoch((short) (epoch + 1));
    }
    return out.setProducerId(1 + ThreadLocalRandom.current().nextLong(KafkaLogStateMachine.MAX_PRODUCER_ID))
        .setProducerEpoch((short) 0);
  }
}
