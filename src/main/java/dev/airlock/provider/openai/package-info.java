/**
 * Any OpenAI-compatible server (vLLM, SGLang, TGI, Ollama, OpenAI): the request body is passed on as
 * the client sent it, with only {@code model} rewritten, so unknown fields reach the upstream unchanged.
 * {@link dev.airlock.provider.openai.OpenAiProvider} sends; {@link dev.airlock.provider.openai.ChunkRelay}
 * decodes streams; {@link dev.airlock.provider.openai.ErrorBodies} turns error answers into failures.
 */
package dev.airlock.provider.openai;
