package io.jkraft.origin;

import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One call of the wget stand-in, as the core's fetch rules make it: {@code -O FILE URL} with wget's display options
 * ({@code -q}, {@code --show-progress}, {@code --progress=bar}, {@code --force-progress} of newer cores), plus the
 * checksums the library declares, which jkraft's own make variables add as {@code --jkraft-sha256=HEX} (empty
 * when the library declares none).
 *
 * @param output the file make expects (absolute)
 * @param sums   declared checksums by algorithm ({@code sha1}, {@code sha256}, {@code sha512}, {@code md5}), lower-case hex
 */
record WgetRequest(Path output, String url, Map<String, String> sums) {
    static final List<String> ALGORITHMS = List.of("sha1", "sha256", "sha512", "md5");

    WgetRequest {
        sums = Map.copyOf(sums);
    }

    /** @param cwd the folder wget was started in, against which a relative {@code -O} is resolved */
    static WgetRequest parse(Path cwd, List<String> args) {
        String output = null;
        String url = null;
        Map<String, String> sums = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("-O") || a.equals("--output-document")) {
                if (i + 1 == args.size()) {
                    throw new IllegalArgumentException(a + " needs a file name");
                }
                output = args.get(++i);
            } else if (a.startsWith("--output-document=")) {
                output = a.substring("--output-document=".length());
            } else if (a.startsWith("-O") && a.length() > 2) {
                output = a.substring(2);
            } else if (a.startsWith("--jkraft-")) {
                sum(a, sums);
            } else if (a.equals("-q") || a.equals("--quiet") || a.equals("-nv") || a.equals("--no-verbose")
                    || a.equals("--show-progress") || a.equals("--force-progress") || a.startsWith("--progress=")) {
                // display only: jkraft shows its own progress
            } else if (a.startsWith("-")) {
                throw new IllegalArgumentException("jkraft's wget does not know the option " + a
                        + " (it takes what Unikraft's fetch rules pass: -q, --show-progress, --progress=, -O FILE URL)");
            } else if (url != null) {
                throw new IllegalArgumentException("jkraft's wget fetches one URL, and was given " + url + " and " + a);
            } else {
                url = a;
            }
        }
        if (url == null) {
            throw new IllegalArgumentException("no URL given");
        }
        Path file = output != null ? cwd.resolve(output) : cwd.resolve(baseName(url));
        return new WgetRequest(file.toAbsolutePath().normalize(), url, sums);
    }

    private static void sum(String arg, Map<String, String> sums) {
        int eq = arg.indexOf('=');
        String algorithm = eq < 0 ? "" : arg.substring("--jkraft-".length(), eq).toLowerCase(Locale.ROOT);
        if (!ALGORITHMS.contains(algorithm)) {
            throw new IllegalArgumentException("unknown option " + arg);
        }
        // The core's own check strips quotes and takes the value as the start of the line sha256sum prints.
        String value = arg.substring(eq + 1).strip().replace("\"", "").strip().toLowerCase(Locale.ROOT);
        if (!value.isEmpty()) {
            sums.put(algorithm, value);
        }
    }

    /** The archive's name: the file make asked for. */
    String fileName() {
        return output.getFileName().toString();
    }

    /** The library the archive is for: make's rules put it in {@code $(BUILD_DIR)/<library>/}. */
    String library() {
        Path parent = output.getParent();
        return parent == null || parent.getFileName() == null ? "" : parent.getFileName().toString();
    }

    /** Its line in {@code Kraftfile.lock}. */
    String lockKey() {
        return library() + "/" + fileName();
    }

    /** The library's make variable for a checksum, as the core names it ({@code LIBLWIP_ORIGIN_SHA256}). */
    String sumVariable(String algorithm) {
        return library().toUpperCase(Locale.ROOT) + "_ORIGIN_" + algorithm.toUpperCase(Locale.ROOT);
    }

    /** The last part of a URL's path: the name wget would save it under, and the name looked for in folders. */
    static String baseName(String url) {
        String path;
        try {
            path = URI.create(url).getPath();
        } catch (IllegalArgumentException e) {
            path = null;
        }
        if (path == null || path.isEmpty()) {
            path = url;
        }
        String trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return trimmed.substring(trimmed.lastIndexOf('/') + 1);
    }
}
