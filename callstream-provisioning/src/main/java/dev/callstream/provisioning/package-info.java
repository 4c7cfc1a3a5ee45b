/**
 * The RingCX streaming-profile API: {@link dev.callstream.provisioning.StreamingProfileClient} creates,
 * reads, updates and deletes the {@link dev.callstream.provisioning.StreamingProfile} of a queue or
 * campaign; {@link dev.callstream.provisioning.TokenProvider}s supply RingCX access tokens, fixed or
 * exchanged from a RingCentral token ({@link dev.callstream.provisioning.ExchangingTokenProvider}).
 * Errors are {@link dev.callstream.provisioning.ProvisioningException}s.
 */
package dev.callstream.provisioning;
