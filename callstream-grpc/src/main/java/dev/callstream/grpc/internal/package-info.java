/**
 * Implementation details of callstream-grpc, public only so that the other callstream modules can
 * use them. Not an API: anything here may change in any release without notice.
 */
package dev.callstream.grpc.internal;
