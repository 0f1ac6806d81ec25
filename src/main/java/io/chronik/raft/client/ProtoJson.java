package io.chronik.raft.client;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.MapEntry;
import com.google.protobuf.Message;
import java.util.Base64;
import java.util.List;

/**
 * A response as one line of JSON for {@code -o json}. Field names follow protobuf's JSON mapping
 * (lowerCamelCase), and so do bytes (base64: records and values may be any bytes). Unlike
 * protobuf's JsonFormat, which is not on our class path (protobuf-java-util), every field is
 * written, defaults included, so that a script can read {@code found: false} or
 * {@code records: []} (of a oneof, only the alternative that is set); and 64-bit integers are JSON numbers (offsets and indexes stay far below
 * 2^53, where JSON numbers lose precision).
 */
final class ProtoJson {
  private ProtoJson() {}

  static String print(Message message) {
    StringBuilder out = new StringBuilder();
    object(message, out);
    return out.toString();
  }

  private static void object(Message message, StringBuilder out) {
    out.append('{');
    String separator = "";
    for (FieldDescriptor field : message.getDescriptorForType().getFields()) {
      // Of a oneof only the alternative set is written: the others are not defaults but absent.
      if (field.getRealContainingOneof() != null && !message.hasField(field)) continue;
      out.append(separator);
      separator = ",";
      string(field.getJsonName(), out);
      out.append(':');
      if (field.isMapField()) {
        map((List<?>) message.getField(field), out);
      } else if (field.isRepeated()) {
        out.append('[');
        List<?> values = (List<?>) message.getField(field);
        for (int i = 0; i < values.size(); i++) {
          if (i > 0) out.append(',');
          value(values.get(i), out);
        }
        out.append(']');
      } else {
        value(message.getField(field), out);
      }
    }
    out.append('}');
  }

  /** A protobuf map is a list of entries; JSON writes it as an object keyed by the entry's key. */
  private static void map(List<?> entries, StringBuilder out) {
    out.append('{');
    for (int i = 0; i < entries.size(); i++) {
      MapEntry<?, ?> entry = (MapEntry<?, ?>) entries.get(i);
      if (i > 0) out.append(',');
      string(String.valueOf(entry.getKey()), out);
      out.append(':');
      value(entry.getValue(), out);
    }
    out.append('}');
  }

  private static void value(Object value, StringBuilder out) {
    if (value instanceof Message m) {
      object(m, out);
    } else if (value instanceof ByteString b) {
      string(Base64.getEncoder().encodeToString(b.toByteArray()), out);
    } else if (value instanceof EnumValueDescriptor e) {
      string(e.getName(), out);
    } else if (value instanceof String s) {
      string(s, out);
    } else {
      out.append(value); // numbers and booleans
    }
  }

  private static void string(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
