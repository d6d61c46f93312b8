package io.jkraft.registry;

import java.util.List;
import java.util.Locale;

/**
 * Which registries may be spoken to over plain HTTP: loopback addresses ({@code localhost},
 * {@code 127.0.0.0/8}, {@code ::1}) and those the user marked insecure; every other one only over https.
 * Names are compared as written, not resolved: a name that resolves to 127.0.0.1 is not trusted for it.
 */
record TransportPolicy(List<String> insecureRegistries) {

    TransportPolicy {
        insecureRegistries = List.copyOf(insecureRegistries);
    }

    boolean allowsPlainHttp(String hostPort) {
        String hp = hostPort.toLowerCase(Locale.ROOT);
        String host = hostOf(hp);
        if (isLoopback(host)) {
            return true;
        }
        for (String marked : insecureRegistries) {
            String m = marked.toLowerCase(Locale.ROOT);
            if (m.equals(hp) || m.equals(host)) {
                return true;
            }
        }
        return false;
    }

    static String hostOf(String hostPort) {
        if (hostPort.startsWith("[")) {
            int end = hostPort.indexOf(']');
            return end < 0 ? hostPort : hostPort.substring(1, end);
        }
        int colon = hostPort.lastIndexOf(':');
        return colon < 0 || hostPort.indexOf(':') != colon ? hostPort : hostPort.substring(0, colon);
    }

    static boolean isLoopback(String host) {
        if (host.equals("localhost") || host.equals("::1") || host.equals("0:0:0:0:0:0:0:1")) {
            return true;
        }
        String[] parts = host.split("\\.");
        if (parts.length != 4 || !parts[0].equals("127")) {
            return false;
        }
        for (String p : parts) {
            if (!p.matches("[0-9]{1,3}") || Integer.parseInt(p) > 255) {
                return false;
            }
        }
        return true;
    }
}
