/**
 * The simulator: an in-process stand-in for a vLLM server, a real OpenAI-compatible HTTP server on a
 * loopback port with a latency profile and deterministic synthetic text. The gateway reaches it through
 * the ordinary OpenAI provider, so swapping it for a real {@code base_url} changes nothing else. Tests
 * use its switches to inject faults and read back every request it received.
 */
package dev.airlock.provider.simulator;
