/**
 * What every callstream transport shares: {@link dev.callstream.transport.Tls} (self-signed, PKCS12,
 * PEM, none, or the caller's {@code SSLContext}) loaded into {@link dev.callstream.transport.TlsMaterial},
 * {@link dev.callstream.transport.Authenticator} with its shared-secret implementation, and
 * {@link dev.callstream.transport.CallStreamReceiverBuilder}, the settings every receiver's builder
 * shares.
 */
package dev.callstream.transport;
