/** What every box of the request path shares: the single error type and its mapping to HTTP status. */
package dev.airlock.core;
