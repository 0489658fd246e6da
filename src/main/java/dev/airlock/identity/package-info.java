/**
 * Who is calling: turns the request's credentials into a {@link dev.airlock.identity.Caller} (tenant,
 * key). Until virtual keys land, every caller is the configured {@code default} tenant.
 */
package dev.airlock.identity;
