package io.jkraft.kraftfile;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A parsed Kraftfile (spec v0.5 or v0.6). Maps keep the order the file gives. Absent optional keys are
 * null (single values) or empty (collections).
 *
 * @param file        the Kraftfile itself
 * @param spec        "v0.5" or "v0.6"
 * @param name        the application name (the project folder's name when the file has none)
 * @param outdir      the build output folder relative to the project ({@code .unikraft/build} by default)
 * @param unikraft    the core component, or null when the project names none
 * @param template    the template component, or null
 * @param runtime     the runtime package reference, or null
 * @param rootfs      the rootfs (folder, cpio file or Dockerfile), or null
 * @param cmd         the default application arguments
 * @param env         environment variables; a null value means "take it from the host environment"
 * @param libraries   library name to component
 * @param targets     the build targets, in file order
 * @param volumes     volume specifications as written ("host:guest" strings)
 * @param labels      labels
 * @param extensions  the {@code x-*} keys at the top level, as plain YAML values
 */
public record Kraftfile(
        Path file,
        String spec,
        String name,
        String outdir,
        Component unikraft,
        Component template,
        String runtime,
        String rootfs,
        List<String> cmd,
        Map<String, String> env,
        Map<String, Component> libraries,
        List<Target> targets,
        List<String> volumes,
        Map<String, String> labels,
        Map<String, Object> extensions) {

    /** The folder holding the Kraftfile: the project (application) folder. */
    public Path projectDir() {
        return file.toAbsolutePath().getParent();
    }
}
