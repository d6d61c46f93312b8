package io.jkraft.origin;

import io.jkraft.common.Invocation;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/** A place to look for origin archives before a library's own URL: a folder holding them by name, or a URL prefix. */
sealed interface OriginPlace {

    /** A folder of archives by file name: a mirror folder of an air-gapped site. Its files are not copied into the cache. */
    record Folder(Path dir) implements OriginPlace {
        @Override
        public String toString() {
            return "folder " + dir;
        }
    }

    /** A URL to which the file name is appended ({@code /} between them is added when missing). */
    record UrlPrefix(String prefix) implements OriginPlace {
        String urlOf(String name) {
            return prefix.endsWith("/") ? prefix + name : prefix + "/" + name;
        }

        @Override
        public String toString() {
            return prefix;
        }
    }

    /** The places of the config file and {@code JKRAFT_ORIGIN_ARCHIVES}, relative folders against the invocation's folder. */
    static List<OriginPlace> of(List<String> places, Invocation invocation) {
        return places.stream().map(p -> {
            String lower = p.toLowerCase(Locale.ROOT);
            return lower.startsWith("http://") || lower.startsWith("https://") || lower.startsWith("file:")
                    ? (OriginPlace) new UrlPrefix(p) : new Folder(invocation.resolve(p));
        }).toList();
    }
}
