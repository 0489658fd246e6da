/**
 * Shadow traffic: a copy of a share of a route's requests sent to another deployment, whose answer no
 * client sees ({@link dev.airlock.shadow.Shadows}). The copy is a request like any other on the way
 * out: residency's eligible set of a route pinned to the shadow, the relay's re-check before the
 * send, the ledger's event with its tokens and cost. {@link dev.airlock.shadow.Agreement} sets its
 * answers beside the clients' as numbers only.
 */
package dev.airlock.shadow;
