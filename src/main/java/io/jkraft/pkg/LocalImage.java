package io.jkraft.pkg;

import io.jkraft.common.Digest;
import java.util.List;

/**
 * One tagged image of the local store, as `jkraft pkg ls` shows it.
 *
 * @param platforms kraft's plat/arch of every manifest, in index order
 * @param size      bytes of the index and every blob it reaches (blobs shared by images count for each)
 */
public record LocalImage(String reference, Digest digest, List<String> platforms, long size) {}
