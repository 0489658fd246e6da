/**
 * What every box of the request path shares: the single error type and its mapping to HTTP status,
 * the time-ordered ids of requests and ledger events ({@link dev.airlock.core.Ids}), and header names
 * and values in the form the HTTP codec copies fastest ({@link dev.airlock.core.HeaderText}), and client
 * networks as CIDR blocks ({@link dev.airlock.core.Networks}).
 */
package dev.airlock.core;
