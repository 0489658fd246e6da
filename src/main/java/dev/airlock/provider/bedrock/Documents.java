package dev.airlock.provider.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.core.SdkNumber;
import software.amazon.awssdk.core.document.Document;

/**
 * Jackson trees to and from the SDK's {@link Document}, which Converse uses for tool schemas and tool
 * inputs. Numbers keep their exact text so a schema's {@code 0.1} does not become {@code 0.1000000001}.
 */
final class Documents {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private Documents() {}

    static Document fromJson(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) return Document.fromNull();
        if (n.isBoolean()) return Document.fromBoolean(n.booleanValue());
        if (n.isIntegralNumber()) return Document.fromNumber(n.canConvertToLong() ? SdkNumber.fromLong(n.longValue()) : SdkNumber.fromBigInteger(n.bigIntegerValue()));
        if (n.isNumber()) return Document.fromNumber(SdkNumber.fromBigDecimal(n.decimalValue()));
        if (n.isTextual()) return Document.fromString(n.textValue());
        if (n.isArray()) {
            List<Document> items = new ArrayList<>(n.size());
            for (JsonNode item : n) items.add(fromJson(item));
            return Document.fromList(items);
        }
        if (n.isObject()) {
            Map<String, Document> fields = new LinkedHashMap<>();
            n.properties().forEach(e -> fields.put(e.getKey(), fromJson(e.getValue())));
            return Document.fromMap(fields);
        }
        // binary and POJO nodes never come out of a parsed request
        return Document.fromString(n.asText());
    }

    static JsonNode toJson(Document d) {
        if (d == null || d.isNull()) return NODES.nullNode();
        if (d.isBoolean()) return NODES.booleanNode(d.asBoolean());
        if (d.isString()) return NODES.textNode(d.asString());
        if (d.isNumber()) return number(d.asNumber().stringValue());
        if (d.isList()) {
            ArrayNode a = NODES.arrayNode();
            for (Document item : d.asList()) a.add(toJson(item));
            return a;
        }
        ObjectNode o = NODES.objectNode();
        d.asMap().forEach((k, v) -> o.set(k, toJson(v)));
        return o;
    }

    private static JsonNode number(String s) {
        BigDecimal dec = new BigDecimal(s);
        if (s.indexOf('.') < 0 && s.indexOf('e') < 0 && s.indexOf('E') < 0) {
            BigInteger i = dec.toBigIntegerExact();
            return i.bitLength() < 64 ? NODES.numberNode(i.longValue()) : NODES.numberNode(i);
        }
        return NODES.numberNode(dec.doubleValue());
    }
}
