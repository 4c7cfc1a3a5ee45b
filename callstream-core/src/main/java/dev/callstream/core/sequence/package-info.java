/**
 * Sequencing, transport-neutral: per segment, a small reorder window puts frames back in place;
 * gaps, duplicates and late frames are detected, reported and counted.
 */
package dev.callstream.core.sequence;
