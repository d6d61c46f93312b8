package io.jkraft.pkg;

import io.jkraft.build.BuildRequest;
import java.util.List;

/**
 * What `jkraft pkg` was asked to pack.
 *
 * @param build     the project and its target selection; its targets are built first (up-to-date ones cost nothing)
 * @param reference the image reference as written (-n/--name)
 * @param debug     also pack the unstripped kernels (--dbg)
 * @param args      -a/--args: the image's cmd, replacing the Kraftfile's; empty keeps the Kraftfile's
 * @param env       -e/--env as written (K=V); added after the Kraftfile's env
 * @param rootfs    --rootfs (a folder packed into a cpio, or a cpio file), or null for the Kraftfile's rootfs
 */
public record PackRequestOptions(BuildRequest build, String reference, boolean debug, List<String> args,
        List<String> env, String rootfs) {

    public PackRequestOptions {
        args = args == null ? List.of() : List.copyOf(args);
        env = env == null ? List.of() : List.copyOf(env);
    }
}
