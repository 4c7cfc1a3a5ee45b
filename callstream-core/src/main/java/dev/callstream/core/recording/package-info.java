/** Recording calls to WAV files and {@code call.json}: {@link dev.callstream.core.recording.CallRecorder}, {@link dev.callstream.core.recording.WavWriter}. */
package dev.callstream.core.recording;
