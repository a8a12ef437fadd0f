package dev.sluice.images;

import java.nio.file.Path;

/**
 * One written image layer: its gzip blob ({@code digest}, {@code size}) and the digest of the
 * uncompressed tar ({@code diffId}, what an image config lists).
 */
public record Layer(String name, Path blob, String digest, String diffId, long size) {}
