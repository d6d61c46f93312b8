package io.jkraft.source;

import io.jkraft.common.Durations;
import io.jkraft.common.UserException;
import java.io.InterruptedIOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;

/** The messages and hints of git fetch failures, so that users never see a bare JGit stack trace. */
final class GitErrors {
    private GitErrors() {}

    /** The repository's name for progress messages: {@code https://github.com/unikraft/lib-musl.git} is lib-musl. */
    static String repoName(String url) {
        int q = url.indexOf('?');
        String path = (q < 0 ? url : url.substring(0, q)).replaceAll("/+$", "");
        String last = path.substring(Math.max(path.lastIndexOf('/'), path.lastIndexOf(':')) + 1);
        if (last.endsWith(".git")) {
            last = last.substring(0, last.length() - 4);
        }
        return last.isEmpty() ? path : last;
    }

    static UserException notCached(GitOrigin o) {
        return new UserException(o.describe() + " is not in the source cache, and fetching is turned off",
                "run jkraft fetch while online, then try again");
    }

    static UserException unknownRef(GitOrigin o, String ref, Map<String, Ref> remote) {
        List<String> known = remote.keySet().stream()
                .filter(n -> n.startsWith(Constants.R_HEADS) || n.startsWith(Constants.R_TAGS))
                .filter(n -> !n.endsWith("^{}"))
                .map(Repository::shortenRefName).sorted().limit(8).toList();
        return new UserException("no branch, tag or commit " + ref + " in " + o.url(),
                known.isEmpty() ? "check the version in the Kraftfile"
                        : "check the version in the Kraftfile; the repository has e.g. " + String.join(", ", known));
    }

    /**
     * A failed call to a remote; one that reached its {@code timeout} (JGit gives a read that timed out as a
     * SocketTimeoutException, or as the socket its alarm's interrupt closed) says so and names the remote.
     */
    static UserException unreachable(GitOrigin o, Exception e, Duration timeout) {
        for (Throwable c = e; c != null && c.getCause() != c; c = c.getCause()) {
            if (c instanceof SocketTimeoutException || c instanceof InterruptedIOException
                    || (c instanceof SocketException && "Closed by interrupt".equals(c.getMessage()))) {
                return new UserException("cannot fetch " + o.describe() + ": " + o.url() + " did not answer within "
                        + Durations.words(timeout), "check the URL and your network connection; the server took the"
                        + " connection (or dropped it) and sent nothing", e);
            }
        }
        return unreachable(o, e);
    }

    static UserException unreachable(GitOrigin o, Exception e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String why = e.getMessage() != null ? e.getMessage() : root.toString();
        String lower = why.toLowerCase(Locale.ROOT);
        String hint;
        if (lower.contains("auth") || lower.contains("not authorized") || lower.contains("401")) {
            hint = "the repository may be private or the URL mistyped; jkraft does not ask for credentials,"
                    + " so use a public URL or a local mirror (file://)";
        } else if (o.url().startsWith("ssh://") || !o.url().contains("://")) {
            hint = "ssh URLs use your ssh command and keys; check that ssh to the host works, or use the https:// URL";
        } else {
            hint = "check the URL and your network connection";
        }
        return new UserException("cannot fetch " + o.describe() + ": " + why, hint, e);
    }
}
