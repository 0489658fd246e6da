/**
 * Routing: choosing among the eligible deployments (weighted random among the healthy, or by a
 * conversation's key for {@code cache_affinity} routes), retrying with capped exponential backoff,
 * falling back route by route, and cooling down deployments that keep failing.
 * {@link dev.airlock.route.Relay} is the one asynchronous loop that sends attempts;
 * {@link dev.airlock.route.Planner} and {@link dev.airlock.route.Health} are plain synchronous state.
 * {@link dev.airlock.route.InFlight} holds each deployment's cap on attempts in flight and the
 * tenant-fair queue in front of it; {@link dev.airlock.route.EngineLoad} reads what self-hosted engines
 * say of their own queues. Both only decide where and when an attempt goes, among the eligible set.
 */
package dev.airlock.route;
