/**
 * What every callstream transport shares: {@link dev.callstream.transport.Tls} (self-signed, PKCS12,
 * PEM, none, or the caller's {@code SSLContext}) loaded into {@link dev.callstream.transport.TlsMaterial},
 * and {@link dev.callstream.transport.Authenticator} with its shared-secret implementation.
 */
package dev.callstream.transport;
