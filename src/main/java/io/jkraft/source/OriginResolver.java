package io.jkraft.source;

import io.jkraft.common.Digest;
import io.jkraft.common.UserException;
import io.jkraft.kraftfile.Component;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns a Kraftfile component into the {@link Origin} to fetch it from.
 *
 * <p>Components without a source come from the origin base: the core from {@code <base>/unikraft}, a library
 * {@code NAME} from {@code <base>/lib-NAME}, on the version named, else on {@code stable} as kraft's channels.
 */
public final class OriginResolver {
    /** The channel kraft uses when a Kraftfile names no version. */
    public static final String DEFAULT_CHANNEL = "stable";

    static final List<String> ARCHIVE_SUFFIXES =
            List.of(".tar.gz", ".tgz", ".tar.xz", ".txz", ".tar.bz2", ".tbz2", ".tar", ".zip");
    private static final Set<String> GIT_SCHEMES = Set.of("https", "http", "ssh", "git", "file");
    private static final Set<String> REF_PARAMS = Set.of("branch", "tag", "version");
    private static final Pattern SCP_LIKE = Pattern.compile("[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:(?!//).+");
    private static final Pattern SCHEME = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*://.*");

    private final String base;
    private final ComponentIndex index;

    /** Resolves without a component index: components without a source come from the origin base. */
    public OriginResolver(String base) {
        this(base, ComponentIndex.NONE);
    }

    /**
     * @param base where default origins live: a URL such as {@code https://github.com/unikraft} or
     *             {@code file:///srv/mirror}, or a folder path, which is turned into a {@code file://} URL
     * @param index consulted first for components without a source
     */
    public OriginResolver(String base, ComponentIndex index) {
        this(base, index, Path.of("").toAbsolutePath());
    }

    /**
     * @param base       where default origins live: a URL, or a folder path, relative to {@code workingDir}
     * @param index      consulted first for components without a source
     * @param workingDir the folder the user invoked jkraft in
     */
    public OriginResolver(String base, ComponentIndex index, Path workingDir) {
        this.index = Objects.requireNonNull(index, "index");
        if (base == null || base.isBlank()) {
            throw new UserException("the origin base is empty",
                    "set it to a URL such as https://github.com/unikraft or to a folder of mirrors");
        }
        String b = base.strip();
        if (!isUrl(b)) {
            b = toPath(b, workingDir).toUri().toString();
        }
        while (b.endsWith("/") && !b.endsWith("://")) {
            b = b.substring(0, b.length() - 1);
        }
        this.base = b;
    }

    /** The base as used to build default URLs, without a trailing slash. */
    public String base() {
        return base;
    }

    /**
     * {@code <base>/<repo>}; a local mirror made with {@code git clone --mirror} often names its folders
     * {@code <repo>.git}, so for a file base that form is used when only it exists.
     */
    private String defaultRepository(String repo) {
        String url = base + "/" + repo;
        if (base.startsWith("file:")) {
            try {
                Path plain = Path.of(URI.create(url));
                Path dotGit = plain.resolveSibling(repo + ".git");
                if (!Files.exists(plain) && Files.isDirectory(dotGit)) {
                    return url + ".git";
                }
            } catch (IllegalArgumentException e) {
                return url;
            }
        }
        return url;
    }

    /**
     * @param c          the component as the Kraftfile names it
     * @param core       whether this is the Unikraft core rather than a library
     * @param projectDir the folder holding the Kraftfile; relative sources are taken from there
     */
    public Origin resolve(Component c, boolean core, Path projectDir) {
        String what = core ? "the core (unikraft)" : "library " + c.name();
        String source = c.source() == null ? null : c.source().strip();
        if (source == null || source.isEmpty()) {
            Optional<Origin> indexed = index.origin(c, core);
            if (indexed.isPresent()) {
                return indexed.get();
            }
            String repo = core ? "unikraft" : "lib-" + c.name();
            return new GitOrigin(defaultRepository(repo), c.version() != null ? c.version() : DEFAULT_CHANNEL);
        }
        return fromSource(source, c.version(), what, projectDir);
    }

    /**
     * The origin a source string names: a URL (git or archive, with jkraft's {@code ?branch=}-style query and
     * {@code ?sha256=}), or a local folder or archive, relative to {@code projectDir}.
     *
     * @param version the ref for a git URL whose query names none, or null
     * @param what    the component, for messages
     */
    public static Origin fromSource(String source, String version, String what, Path projectDir) {
        if (isUrl(source)) {
            return fromUrl(source, version, what);
        }
        Path dir = toPath(source, projectDir);
        boolean pathLike = source.startsWith("/") || source.startsWith("./") || source.startsWith("../")
                || source.startsWith("~") || source.equals(".") || source.equals("..");
        if (Files.isDirectory(dir)) {
            return new LocalOrigin(dir);
        }
        if (Files.isRegularFile(dir) && hasArchiveSuffix(dir.getFileName().toString())) {
            return new ArchiveOrigin(dir.toUri(), null);
        }
        if (Files.exists(dir)) {
            throw new UserException(what + ": source " + source + " (" + dir + ") is not a folder",
                    "point source: at the folder holding the sources, or at a .tar.gz/.zip archive");
        }
        throw new UserException(what + ": source folder " + source + " does not exist (looked at " + dir + ")",
                pathLike
                        ? "create the folder, fix the path in the Kraftfile,"
                                + " or remove source: to use the default origin"
                        : "write a URL (https://..., git@host:path) or a path starting with ./ or /");
    }

    private static Origin fromUrl(String source, String version, String what) {
        int q = source.indexOf('?');
        String bare = q < 0 ? source : source.substring(0, q);
        List<String> kept = new ArrayList<>();
        String ref = null;
        String sha256 = null;
        if (q >= 0) {
            for (String param : source.substring(q + 1).split("&")) {
                if (param.isEmpty()) {
                    continue;
                }
                int eq = param.indexOf('=');
                String key = decode(eq < 0 ? param : param.substring(0, eq));
                String value = eq < 0 ? "" : decode(param.substring(eq + 1));
                if (REF_PARAMS.contains(key) && !value.isEmpty()) {
                    ref = value;
                } else if (key.equals("sha256")) {
                    sha256 = value.toLowerCase(Locale.ROOT);
                } else {
                    kept.add(param);
                }
            }
        }
        String url = kept.isEmpty() ? bare : bare + "?" + String.join("&", kept);
        String scheme = SCHEME.matcher(bare).matches()
                ? bare.substring(0, bare.indexOf(':')).toLowerCase(Locale.ROOT) : "ssh";

        if (hasArchiveSuffix(bare)) {
            if (!Set.of("http", "https", "file").contains(scheme)) {
                throw new UserException(what + ": cannot download archive " + bare + " over " + scheme,
                        "use an http, https or file URL for archives");
            }
            if (sha256 != null && !Digest.isSha256Hex(sha256)) {
                throw new UserException(what + ": sha256=" + sha256 + " in " + source + " is not a SHA-256 digest",
                        "write the 64 hex digits printed by sha256sum");
            }
            try {
                return new ArchiveOrigin(new URI(url), sha256 == null ? null : Digest.ofSha256Hex(sha256));
            } catch (URISyntaxException e) {
                throw new UserException(what + ": " + source + " is not a valid URL: " + e.getReason(),
                        "check the source: in the Kraftfile", e);
            }
        }
        if (!GIT_SCHEMES.contains(scheme)) {
            throw new UserException(what + ": unsupported URL scheme " + scheme + " in " + source,
                    "use https://, http://, ssh://, git@host:path or file:// for git, or a .tar.gz/.zip archive URL");
        }
        if (sha256 != null) {
            throw new UserException(what + ": sha256= only applies to archives, but " + bare + " is a git URL",
                    "remove ?sha256=, or point source: at a .tar.gz/.zip archive");
        }
        return new GitOrigin(url, ref != null ? ref : version);
    }

    static boolean hasArchiveSuffix(String pathOrUrl) {
        String lower = pathOrUrl.toLowerCase(Locale.ROOT);
        return ARCHIVE_SUFFIXES.stream().anyMatch(lower::endsWith);
    }

    private static boolean isUrl(String s) {
        return SCHEME.matcher(s).matches() || SCP_LIKE.matcher(s).matches();
    }

    private static Path toPath(String s, Path relativeTo) {
        try {
            Path p;
            if (s.equals("~") || s.startsWith("~/")) {
                p = Path.of(System.getProperty("user.home")).resolve(s.equals("~") ? "" : s.substring(2));
            } else {
                p = relativeTo.resolve(s);
            }
            return p.toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw new UserException(s + " is neither a URL nor a valid path: " + e.getReason(),
                    "write a URL (https://...) or a folder path", e);
        }
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
