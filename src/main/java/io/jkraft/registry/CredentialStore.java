package io.jkraft.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.jkraft.common.Durations;
import io.jkraft.common.Invocation;
import io.jkraft.common.UserException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * Registry credentials: jkraft's own file ({@code $XDG_CONFIG_HOME/jkraft/auth.json}, Docker's
 * {@code config.json} format, written by {@code jkraft login}), then Docker's config
 * ({@code $DOCKER_CONFIG/config.json}, else {@code ~/.docker/config.json}): a credential helper named for
 * the host in {@code credHelpers}, the host's {@code auth} or {@code identitytoken}, then {@code credsStore}.
 * Helpers are run as Docker runs them: {@code docker-credential-NAME get}, the host on standard input.
 */
public final class CredentialStore {
    /** A helper may ask for a keyring to be unlocked first; one that has not answered by then is not going to. */
    private static final Duration HELPER_TIMEOUT = Duration.ofSeconds(30);

    private final Path ownFile;
    private final Path dockerConfig;
    private final Path helpers;
    private final Duration helperTimeout;
    private final Invocation invocation;
    private final ObjectMapper json = new ObjectMapper();

    /** A store whose credential helpers run with this JVM's working folder and environment. */
    public CredentialStore(Path ownFile, Path dockerConfig) {
        this(ownFile, dockerConfig, Invocation.ofThisProcess());
    }

    /**
     * @param ownFile      jkraft's credentials file
     * @param dockerConfig Docker's config.json (may not exist)
     * @param invocation   the credential helpers run with its folder and environment, found on its PATH
     */
    public CredentialStore(Path ownFile, Path dockerConfig, Invocation invocation) {
        this(ownFile, dockerConfig, null, HELPER_TIMEOUT, invocation);
    }

    /**
     * @param helpers       the folder of the {@code docker-credential-NAME} programs, or null for PATH (tests)
     * @param helperTimeout how long a helper may take to answer
     */
    CredentialStore(Path ownFile, Path dockerConfig, Path helpers, Duration helperTimeout) {
        this(ownFile, dockerConfig, helpers, helperTimeout, Invocation.ofThisProcess());
    }

    private CredentialStore(Path ownFile, Path dockerConfig, Path helpers, Duration helperTimeout,
            Invocation invocation) {
        this.ownFile = ownFile;
        this.dockerConfig = dockerConfig;
        this.helpers = helpers;
        this.helperTimeout = helperTimeout;
        this.invocation = invocation;
    }

    /** Docker's config file as Docker finds it: {@code $DOCKER_CONFIG/config.json}, else under the home folder. */
    public static Path dockerConfig(Invocation invocation) {
        Map<String, String> env = invocation.environment();
        String dir = env.get("DOCKER_CONFIG");
        if (dir != null && !dir.isBlank()) {
            return invocation.resolve(dir).resolve("config.json");
        }
        return Path.of(env.getOrDefault("HOME", System.getProperty("user.home")), ".docker", "config.json");
    }

    public Optional<Credentials> find(String registry) {
        Optional<Credentials> own = fromAuths(read(ownFile), ownFile, registry);
        if (own.isPresent()) {
            return own;
        }
        JsonNode docker = read(dockerConfig);
        String helper = docker.path("credHelpers").path(registry).asText("");
        if (!helper.isEmpty()) {
            return runHelper(helper, registry);
        }
        Optional<Credentials> inline = fromAuths(docker, dockerConfig, registry);
        if (inline.isPresent()) {
            return inline;
        }
        String store = docker.path("credsStore").asText("");
        return store.isEmpty() ? Optional.empty() : runHelper(store, registry);
    }

    /** Stores the credentials for {@code registry} in jkraft's file (mode 0600, written whole then renamed). */
    public void save(String registry, Credentials c) {
        ObjectNode root = read(ownFile) instanceof ObjectNode o ? o : json.createObjectNode();
        ObjectNode auths = root.path("auths") instanceof ObjectNode a ? a : root.putObject("auths");
        ObjectNode entry = auths.putObject(registry);
        entry.put("auth", Base64.getEncoder().encodeToString(
                (c.username() + ":" + c.password()).getBytes(StandardCharsets.UTF_8)));
        write(root);
    }

    /** Forgets the credentials for {@code registry}; false when jkraft's file had none. */
    public boolean remove(String registry) {
        if (!(read(ownFile) instanceof ObjectNode root) || !(root.path("auths") instanceof ObjectNode auths)
                || auths.remove(registry) == null) {
            return false;
        }
        write(root);
        return true;
    }

    private void write(ObjectNode root) {
        Path t = null;
        try {
            Files.createDirectories(ownFile.getParent());
            // created 0600 from the start: the secret is never readable by others, not even for a moment
            t = Files.createTempFile(ownFile.getParent(), ".auth-", ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (OutputStream out = Files.newOutputStream(t)) {
                out.write(json.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
            }
            Files.move(t, ownFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            t = null;
        } catch (IOException e) {
            throw new UserException("cannot write " + ownFile + ": " + e.getMessage(), "check that the folder is writable");
        } finally {
            if (t != null) {
                try {
                    Files.deleteIfExists(t);
                } catch (IOException ignored) {
                    // nothing secret is lost: the file was only partly written
                }
            }
        }
    }

    private Optional<Credentials> fromAuths(JsonNode config, Path file, String registry) {
        JsonNode auths = config.path("auths");
        JsonNode entry = auths.path(registry);
        if (entry.isMissingNode()) {
            // Docker writes some keys as URLs (https://host/v1/)
            for (var e : auths.properties()) {
                if (stripUrl(e.getKey()).equals(registry)) {
                    entry = e.getValue();
                }
            }
        }
        String identity = entry.path("identitytoken").asText("");
        String auth = entry.path("auth").asText("");
        if (!auth.isEmpty()) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(auth.strip()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new UserException(file + ": the auth of " + registry + " is not base64",
                        "log in again: jkraft login " + registry);
            }
            int colon = decoded.indexOf(':');
            if (colon < 0) {
                throw new UserException(file + ": the auth of " + registry + " is not user:password in base64",
                        "log in again: jkraft login " + registry);
            }
            return Optional.of(new Credentials(decoded.substring(0, colon), decoded.substring(colon + 1),
                    identity.isEmpty() ? null : identity));
        }
        return identity.isEmpty() ? Optional.empty() : Optional.of(new Credentials(null, null, identity));
    }

    static String stripUrl(String key) {
        String k = key.replaceFirst("^[a-z]+://", "");
        int slash = k.indexOf('/');
        return slash < 0 ? k : k.substring(0, slash);
    }

    /**
     * Runs {@code docker-credential-NAME get}. Its output is read on another thread, so that a helper that
     * never ends (one waiting for a keyring nobody unlocks) is ended after {@link #helperTimeout} instead of
     * holding the command for ever.
     */
    private Optional<Credentials> runHelper(String name, String registry) {
        String program = "docker-credential-" + name;
        try {
            Process p = invocation.start(new ProcessBuilder(helpers == null ? program : helpers.resolve(program).toString(),
                    "get").redirectError(ProcessBuilder.Redirect.DISCARD));
            CompletableFuture<byte[]> out = new CompletableFuture<>();
            Thread.ofPlatform().daemon().name("jkraft-credential-helper").start(() -> {
                try (InputStream in = p.getInputStream()) {
                    out.complete(in.readAllBytes());
                } catch (IOException e) {
                    out.completeExceptionally(e);
                }
            });
            try (OutputStream in = p.getOutputStream()) {
                in.write(registry.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // it ended without reading the host; its exit status says how it went
            }
            boolean ended;
            try {
                ended = p.waitFor(helperTimeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                end(p);
                throw e;
            }
            if (!ended) {
                end(p);
                throw new UserException("the credential helper " + program + " (named in " + dockerConfig
                        + ") did not answer within " + Durations.words(helperTimeout) + " for " + registry,
                        "check the helper (it may wait for a keyring to be unlocked), or log in with `jkraft login "
                                + registry + "` instead");
            }
            if (p.exitValue() != 0) {
                // Docker's helpers exit 1 with "credentials not found": then the registry is used anonymously
                return Optional.empty();
            }
            // The JDK closes the pipe once the helper has ended, even if something it started holds it.
            JsonNode answer = json.readTree(out.join());
            String user = answer.path("Username").asText("");
            String secret = answer.path("Secret").asText("");
            return Optional.of(user.equals("<token>") ? new Credentials(null, null, secret)
                    : Credentials.basic(user, secret));
        } catch (IOException | CompletionException e) {
            throw new UserException("cannot run the credential helper " + program + " named in " + dockerConfig,
                    "install it, or log in with `jkraft login " + registry + "` instead");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserException("interrupted while running " + program);
        }
    }

    private static void end(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    private JsonNode read(Path file) {
        if (!Files.isRegularFile(file)) {
            return json.createObjectNode();
        }
        try {
            return json.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            // the original message only: Jackson's full one quotes the file's text, which holds secrets
            throw new UserException(file + ": not valid JSON: " + e.getOriginalMessage(), "fix or remove the file");
        } catch (IOException e) {
            throw new UserException("cannot read " + file + ": " + e.getMessage(), null);
        }
    }
}
