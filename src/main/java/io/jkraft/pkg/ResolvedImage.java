package io.jkraft.pkg;

import io.jkraft.common.Architecture;
import io.jkraft.common.Digest;
import io.jkraft.common.Platform;
import java.nio.file.Path;
import java.util.List;

/**
 * A packed kernel unpacked for running.
 *
 * @param initrd null when the image has none
 * @param cmd    the image's Cmd (the application arguments it was packed with)
 * @param env    the image's Env, NAME=value strings
 */
public record ResolvedImage(String reference, Digest manifestDigest, Platform platform, Architecture architecture,
        Path kernel, Path initrd, List<String> cmd, List<String> env) {}
