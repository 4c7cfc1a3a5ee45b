/** Audio formats and codecs: {@link dev.callstream.core.audio.AudioFormat}, G.711 mu-law and A-law. */
package dev.callstream.core.audio;
