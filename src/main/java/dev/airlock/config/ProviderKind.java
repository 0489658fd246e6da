package dev.airlock.config;

import java.util.Locale;

/** The protocols Airlock can speak to an upstream. */
public enum ProviderKind {
    /** Any OpenAI-compatible server: vLLM, SGLang, TGI, Ollama, OpenAI itself. */
    OPENAI,
    /** Amazon Bedrock Converse / ConverseStream. */
    BEDROCK,
    /** Anthropic Messages API. */
    ANTHROPIC,
    /** The in-process vLLM stand-in on a loopback port; spoken to as {@link #OPENAI}. */
    SIMULATOR;

    public String id() { return name().toLowerCase(Locale.ROOT); }

    /** Whether it speaks OpenAI's own API, so serves embeddings and text completions besides chat. */
    public boolean openAiCompatible() { return this == OPENAI || this == SIMULATOR; }
}
