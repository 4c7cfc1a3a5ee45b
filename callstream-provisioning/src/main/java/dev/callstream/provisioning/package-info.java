/**
 * The RingCX streaming-profile API: {@link dev.callstream.provisioning.StreamingProfileClient} creates,
 * reads, updates and deletes the {@link dev.callstream.provisioning.StreamingProfile} of a queue or
 * campaign; {@link dev.callstream.provisioning.TokenProvider}s supply RingCX access tokens, fixed or
 * exchanged from a RingCentral token ({@link dev.callstream.provisioning.ExchangingTokenProvider}).
 * {@link dev.callstream.provisioning.MediaControlClient} starts and stops the stream of a live dialog
 * or segment (paced to the platform's 120 requests a minute; a start is never sent twice). Errors
 * are {@link dev.callstream.provisioning.ProvisioningException}s.
 */
package dev.callstream.provisioning;
