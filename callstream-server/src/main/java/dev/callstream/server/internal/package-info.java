/**
 * Implementation of {@code callstream-server}: the Grizzly/Tyrus assembly, handshake gate, per-call
 * dispatch lanes. Not a public API; it may change in any release.
 */
package dev.callstream.server.internal;
