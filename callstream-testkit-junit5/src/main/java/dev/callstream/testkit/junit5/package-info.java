/**
 * JUnit 5 glue: {@link dev.callstream.testkit.junit5.CallStreamExtension} starts a WebSocket server and a
 * fake Engage Voice platform per test, {@link dev.callstream.testkit.junit5.CallStreamGrpcExtension} a gRPC
 * server and a fake RingCX.
 */
package dev.callstream.testkit.junit5;
