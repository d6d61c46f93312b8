package io.jkraft.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.io.FileInputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A token service as distribution's {@code auth: token} expects one: it issues ES256 JWTs whose {@code x5c}
 * header carries a self-signed certificate that the registry trusts through {@code rootcertbundle}. The key
 * and certificate come from the JDK's keytool. Basic credentials {@link #USER}:{@link #PASSWORD} get every
 * action asked for; anonymous requests get tokens granting nothing.
 */
public final class TokenServer implements AutoCloseable {
    public static final String USER = "tokenuser";
    public static final String PASSWORD = "token-pass-Q7";
    public static final String SERVICE = "jkraft-test-registry";
    public static final String ISSUER = "jkraft-test-issuer";

    /** What the registry's clients asked for: the Authorization header (or "none") and the scopes. */
    public record Asked(String authorization, List<String> scopes) {}

    private final HttpServer server;
    private final Path certificate;
    private final List<Asked> asked = Collections.synchronizedList(new ArrayList<>());

    private TokenServer(HttpServer server, Path certificate) {
        this.server = server;
        this.certificate = certificate;
    }

    public static TokenServer start(Path dir) throws Exception {
        Path keystore = dir.resolve("token.p12");
        Path cert = dir.resolve("token-cert.pem");
        String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
        run(keytool, "-genkeypair", "-alias", "jwt", "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg",
                "SHA256withECDSA", "-dname", "CN=jkraft test token issuer", "-validity", "2", "-keystore",
                keystore.toString(), "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit");
        run(keytool, "-exportcert", "-rfc", "-alias", "jwt", "-keystore", keystore.toString(), "-storepass",
                "changeit", "-file", cert.toString());
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(keystore.toFile())) {
            ks.load(in, "changeit".toCharArray());
        }
        PrivateKey key = (PrivateKey) ks.getKey("jwt", "changeit".toCharArray());
        Certificate c = ks.getCertificate("jwt");
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        TokenServer ts = new TokenServer(server, cert);
        String basic = "Basic " + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8));
        server.createContext("/token", exchange -> {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            List<String> scopes = new ArrayList<>();
            String query = exchange.getRequestURI().getRawQuery();
            for (String pair : query == null ? new String[0] : query.split("&")) {
                if (pair.startsWith("scope=")) {
                    scopes.add(URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8));
                }
            }
            ts.asked.add(new Asked(auth == null ? "none" : auth, scopes));
            byte[] body;
            int status = 200;
            if (auth != null && !auth.equals(basic)) {
                status = 401;
                body = "{\"details\":\"bad credentials\"}".getBytes(StandardCharsets.UTF_8);
            } else {
                try {
                    body = ("{\"token\":\"" + jwt(key, c, auth != null, scopes) + "\",\"expires_in\":300}")
                            .getBytes(StandardCharsets.UTF_8);
                } catch (Exception e) {
                    status = 500;
                    body = e.toString().getBytes(StandardCharsets.UTF_8);
                }
            }
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        return ts;
    }

    private static String jwt(PrivateKey key, Certificate cert, boolean granted, List<String> scopes) throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode header = json.createObjectNode().put("typ", "JWT").put("alg", "ES256");
        header.putArray("x5c").add(Base64.getEncoder().encodeToString(cert.getEncoded()));
        long now = Instant.now().getEpochSecond();
        ObjectNode claims = json.createObjectNode().put("iss", ISSUER).put("sub", granted ? USER : "")
                .put("aud", SERVICE).put("exp", now + 300).put("nbf", now - 10).put("iat", now)
                .put("jti", UUID.randomUUID().toString());
        ArrayNode access = claims.putArray("access");
        if (granted) {
            for (String scope : scopes) {
                String[] parts = scope.split(":");
                ObjectNode a = access.addObject().put("type", parts[0]).put("name", parts[1]);
                for (String action : parts[2].split(",")) {
                    a.withArray("actions").add(action);
                }
            }
        }
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String signingInput = b64.encodeToString(json.writeValueAsBytes(header)) + "."
                + b64.encodeToString(json.writeValueAsBytes(claims));
        Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
        s.initSign(key);
        s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + b64.encodeToString(s.sign());
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    /** The registry's {@code auth:} section for this token service. */
    public String registryAuthYaml() {
        return """
                  token:
                    realm: http://127.0.0.1:%d/token
                    service: %s
                    issuer: %s
                    rootcertbundle: %s
                """.formatted(server.getAddress().getPort(), SERVICE, ISSUER, certificate);
    }

    public List<Asked> asked() {
        return List.copyOf(asked);
    }

    @Override
    public void close() {
        server.stop(0);
    }

}
