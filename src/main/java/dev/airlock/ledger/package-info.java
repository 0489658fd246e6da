/**
 * What Airlock remembers about requests, never their content: the residency decision record of each
 * request ({@link dev.airlock.ledger.Decision}) kept in a bounded in-memory log for
 * {@code GET /admin/requests/{id}/decision}.
 */
package dev.airlock.ledger;
