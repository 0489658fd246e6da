/**
 * Policy, and the residency invariant. {@link dev.airlock.policy.Residency#allows} is the single check
 * that decides whether a deployment may receive a request's bytes; {@link dev.airlock.policy.EligibleSet}
 * is the only way the router learns which deployments it may contact, and it re-runs that check before
 * every dispatch. Any later path that sends bytes out (canary, shadow, cache, log export) must go through it.
 */
package dev.airlock.policy;
