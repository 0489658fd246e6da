/**
 * What every box of the request path shares: the single error type and its mapping to HTTP status,
 * and the time-ordered ids of requests and ledger events ({@link dev.airlock.core.Ids}).
 */
package dev.airlock.core;
