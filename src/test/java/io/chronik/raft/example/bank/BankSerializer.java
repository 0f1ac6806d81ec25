package io.chronik.raft.example.bank;

import akka.actor.ExtendedActorSystem;
import akka.actor.typed.ActorRefResolver;
import akka.actor.typed.javadsl.Adapter;
import akka.serialization.SerializerWithStringManifest;
import java.io.NotSerializableException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * The example's messages and events as text: commands cross members through sharding, events go
 * to chronik's journal. (An application would use Jackson or protobuf; this keeps the example lean.)
 */
public final class BankSerializer extends SerializerWithStringManifest {
  private final ActorRefResolver refs;

  public BankSerializer(ExtendedActorSystem system) {
    this.refs = ActorRefResolver.get(Adapter.toTyped(system));
  }

  @Override
  public int identifier() {
    return 7301;
  }

  @Override
  public String manifest(Object o) {
    if (o instanceof Account.Deposit) return "D";
    if (o instanceof Account.GetHistory) return "G";
    if (o instanceof Account.History) return "H";
    if (o instanceof Account.Deposited) return "E";
    throw new IllegalArgumentException("not a bank message: " + o.getClass());
  }

  @Override
  public byte[] toBinary(Object o) {
    String text;
    if (o instanceof Account.Deposit d) {
      text = d.depositId() + "\n" + d.amount() + "\n" + refs.toSerializationFormat(d.replyTo());
    } else if (o instanceof Account.GetHistory g) {
      text = refs.toSerializationFormat(g.replyTo());
    } else if (o instanceof Account.History h) {
      text = h.accountId() + "\n" + h.balance() + "\n" + String.join(",", h.depositIds());
    } else if (o instanceof Account.Deposited e) {
      text = e.depositId() + "\n" + e.amount();
    } else {
      throw new IllegalArgumentException("not a bank message: " + o.getClass());
    }
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    String[] f = new String(bytes, StandardCharsets.UTF_8).split("\n", -1);
    return switch (manifest) {
      case "D" -> new Account.Deposit(f[0], Long.parseLong(f[1]), refs.resolveActorRef(f[2]));
      case "G" -> new Account.GetHistory(refs.resolveActorRef(f[0]));
      case "H" -> new Account.History(f[0], f[2].isEmpty() ? List.of() : Arrays.asList(f[2].split(",")),
          Long.parseLong(f[1]));
      case "E" -> new Account.Deposited(f[0], Long.parseLong(f[1]));
      default -> throw new NotSerializableException("unknown bank manifest " + manifest);
    };
  }
}
