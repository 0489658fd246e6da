/** The command line ({@code ./airlock}): {@code serve}, {@code config check}. Thin: it parses flags and calls the core. */
package dev.airlock.cli;
