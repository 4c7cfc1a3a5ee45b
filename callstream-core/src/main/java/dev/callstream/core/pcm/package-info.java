/** A call's audio as PCM input streams, for speech-to-text: {@link dev.callstream.core.pcm.PcmStreamListener}, {@link dev.callstream.core.pcm.PcmStream}. */
package dev.callstream.core.pcm;
