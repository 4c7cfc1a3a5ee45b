/** Implementation details shared by callstream's transports; not a public API. */
package dev.callstream.transport.internal;
