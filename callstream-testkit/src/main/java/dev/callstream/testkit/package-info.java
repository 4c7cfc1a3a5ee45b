/**
 * The platform's side of the protocol, for tests and load: {@link dev.callstream.testkit.FakeEngageVoice}
 * (WebSocket) plays {@link dev.callstream.testkit.CallScript}s and {@link dev.callstream.testkit.FakeRingCx}
 * (RingCX gRPC) plays {@link dev.callstream.testkit.RingCxScript}s (audio from {@link dev.callstream.testkit.AudioSource}s,
 * real-time or flood, with repeatable {@link dev.callstream.testkit.Fault}s) against any server, and
 * {@link dev.callstream.testkit.RecordingListener} records what a server delivered for
 * {@code take...(timeout)} assertions. No JUnit dependency.
 */
package dev.callstream.testkit;
