/** JUnit 5 glue: {@link dev.callstream.testkit.junit5.CallStreamExtension} starts a server and a fake platform per test. */
package dev.callstream.testkit.junit5;
