/**
 * Routing: choosing among the eligible deployments (weighted random among the healthy), retrying with
 * capped exponential backoff, falling back route by route, and cooling down deployments that keep
 * failing. {@link dev.airlock.route.Relay} is the one asynchronous loop that sends attempts;
 * {@link dev.airlock.route.Planner} and {@link dev.airlock.route.Health} are plain synchronous state.
 */
package dev.airlock.route;
