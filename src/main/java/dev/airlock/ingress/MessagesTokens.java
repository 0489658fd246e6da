package dev.airlock.ingress;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.airlock.wire.ChatMessage;
import dev.airlock.wire.ChatRequest;
import dev.airlock.wire.Json;
import dev.airlock.wire.RequestParser;
import dev.airlock.wire.ToolCall;
import dev.airlock.wire.ToolDef;
import dev.airlock.wire.anthropic.MessagesRequest;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /v1/messages/count_tokens}, which Claude Code asks before it sends a long context: the
 * prompt's tokens as Airlock counts them for its token limits (OpenAI's cl100k vocabulary with
 * per-message overhead; other models' tokenizers differ by some percent, so it is an estimate). The
 * caller is identified as for a message; nothing goes upstream and nothing is charged.
 */
final class MessagesTokens {
    private final Generations generations;
    private final BodyReader bodies;

    MessagesTokens(Generations generations, BodyReader bodies) {
        this.generations = generations;
        this.bodies = bodies;
    }

    void count(HttpServerRequest req, String requestId) {
        Pipeline pipeline = generations.current().pipeline;
        bodies.read(req).onComplete(read -> {
            if (read.failed()) { Replies.error(req.response(), read.cause(), requestId, Dialect.ANTHROPIC); return; }
            ChatRequest chat;
            try {
                ObjectNode in = RequestParser.parseObject(read.result());
                if (!in.has("max_tokens")) in.put("max_tokens", 1); // a count has no answer to bound
                chat = RequestParser.chat(MessagesRequest.toOpenAi(in));
            } catch (RuntimeException e) {
                Replies.error(req.response(), e, requestId, Dialect.ANTHROPIC);
                return;
            }
            pipeline.identify(req).onComplete(id -> {
                if (id.failed()) { Replies.error(req.response(), id.cause(), requestId, Dialect.ANTHROPIC); return; }
                // BPE costs ~50 ns a character: a coding agent's context is milliseconds, off the event loop
                Vertx.currentContext().owner().executeBlocking(() -> pipeline.tokens.estimatePrompt(texts(chat)), false).onComplete(n -> {
                    if (n.failed()) Replies.error(req.response(), n.cause(), requestId, Dialect.ANTHROPIC);
                    else Replies.json(req.response(), 200, Json.object().put("input_tokens", n.result()));
                });
            });
        });
    }

    /** Every text the model reads: messages, the calls it made, and the tools it is offered. */
    private static List<String> texts(ChatRequest chat) {
        List<String> texts = new ArrayList<>(chat.messages().size() + chat.tools().size());
        for (ChatMessage m : chat.messages()) {
            StringBuilder t = new StringBuilder(m.text());
            for (ToolCall c : m.toolCalls()) t.append(c.name()).append(c.arguments());
            texts.add(t.toString());
        }
        for (ToolDef tool : chat.tools()) {
            texts.add(tool.name() + (tool.description() == null ? "" : tool.description()) + (tool.parameters() == null ? "" : Json.write(tool.parameters())));
        }
        return texts;
    }
}
