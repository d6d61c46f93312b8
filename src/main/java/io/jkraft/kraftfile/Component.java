package io.jkraft.kraftfile;

import java.util.Map;

/**
 * A component (the core, a library, a template) as a Kraftfile names it.
 *
 * <p>Written as a string, the string is either a version or channel ({@code stable}, {@code RELEASE-0.17.0},
 * a commit), a local folder ({@code ./lib/foo}, {@code /abs}, {@code ../x}), or a URL (with optional
 * {@code ?branch=}, {@code ?tag=}, {@code ?version=} query); the parser puts a version into {@code version}
 * and a folder or URL into {@code source}. Written as a map it is {@code {source, version, kconfig}}.
 *
 * @param name    the component's name ({@code unikraft} for the core, the key for a library)
 * @param source  a URL or local path, or null for the default origin of this name
 * @param version a channel, version, tag, branch or commit, or null
 * @param kconfig Kconfig options, keys with the {@code CONFIG_} prefix, values as written with booleans
 *                normalised to {@code y} and {@code n}
 */
public record Component(String name, String source, String version, Map<String, String> kconfig) {}
