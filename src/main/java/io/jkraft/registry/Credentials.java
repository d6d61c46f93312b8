package io.jkraft.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * What identifies the user to one registry: a user name and password, or an identity token (a refresh
 * token issued by the registry's token service). {@link #toString()} never shows the secret.
 */
public record Credentials(String username, String password, String identityToken) {

    public static Credentials basic(String username, String password) {
        return new Credentials(username, password, null);
    }

    /** The {@code Authorization} value for HTTP basic authentication. */
    String basicHeader() {
        return "Basic " + Base64.getEncoder().encodeToString((username + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    boolean hasPassword() {
        return username != null && password != null;
    }

    @Override
    public String toString() {
        return "Credentials[" + username + ", secret hidden]";
    }
}
