package io.jkraft.pkg.oci;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON form of the OCI documents ({@link OciIndex}, {@link OciManifest}, {@link ImageConfig}), bound to
 * records rather than walked as trees.
 *
 * <p>What jkraft writes is compact, fields in the image spec's order and maps sorted, so packing the same
 * inputs gives the same bytes and digest (the store's {@code index.json} alone is indented, as skopeo's is).
 * Fields a record does not model are kept and written back after the known ones, sorted: a document
 * another tool wrote loses nothing when jkraft rewrites it (an index filtered by a pull, {@code index.json}).
 */
public final class OciJson {
    // readers and writers are immutable; the mapper they share is never touched again
    private static final ObjectReader INDEX;
    private static final ObjectReader MANIFEST;
    private static final ObjectReader CONFIG;
    private static final ObjectReader MEDIA_TYPE;
    private static final ObjectWriter COMPACT;
    private static final ObjectWriter INDENTED;

    static {
        // built on first use, not with the readers: a command reads one or two of the kinds, and building a
        // record's deserializer costs a fresh JVM some tens of milliseconds
        JsonMapper mapper = JsonMapper.builder().disable(DeserializationFeature.EAGER_DESERIALIZER_FETCH)
                .disable(SerializationFeature.EAGER_SERIALIZER_FETCH).build();
        INDEX = mapper.readerFor(OciIndex.class);
        MANIFEST = mapper.readerFor(OciManifest.class);
        CONFIG = mapper.readerFor(ImageConfig.class);
        MEDIA_TYPE = mapper.readerFor(MediaTyped.class).without(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        COMPACT = mapper.writer();
        INDENTED = mapper.writerWithDefaultPrettyPrinter();
    }

    private OciJson() {}

    /** One of the read methods: bytes to a document, or an IOException saying why they are not one. */
    @FunctionalInterface
    public interface Reader<T> {
        T read(byte[] json) throws IOException;
    }

    /** Only its media type: what a registry's answer says it is before it is read as that. */
    private record MediaTyped(String mediaType) {}

    /**
     * Reads an image index.
     *
     * @throws IOException whose message says, in a few words, why the bytes are not one
     */
    public static OciIndex index(byte[] json) throws IOException {
        return read(INDEX, json);
    }

    /** Reads an image manifest; see {@link #index}. */
    public static OciManifest manifest(byte[] json) throws IOException {
        return read(MANIFEST, json);
    }

    /** Reads an image config; see {@link #index}. */
    public static ImageConfig config(byte[] json) throws IOException {
        return read(CONFIG, json);
    }

    /** The {@code mediaType} a document names, or null when it names none. */
    public static String mediaType(byte[] json) throws IOException {
        MediaTyped m = read(MEDIA_TYPE, json);
        return m == null ? null : m.mediaType();
    }

    /** The bytes jkraft writes for a document: compact, fields in the spec's order. */
    public static byte[] bytes(Object document) {
        return write(COMPACT, document);
    }

    /** The bytes of the store's {@code index.json}: indented. */
    static byte[] indentedBytes(OciIndex index) {
        return write(INDENTED, index);
    }

    /** The fields a record keeps without modelling them, sorted so that what is written back is stable. */
    static Map<String, JsonNode> keep(Map<String, JsonNode> unknown) {
        return unknown == null || unknown.isEmpty() ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(unknown));
    }

    private static <T> T read(ObjectReader reader, byte[] json) throws IOException {
        T value;
        try {
            value = reader.readValue(json);
        } catch (JsonProcessingException e) {
            throw new IOException(why(e), e);
        }
        if (value == null) {
            throw new IOException("it is JSON null");
        }
        return value;
    }

    /** In a few words: the records' own refusals (a bad digest, a missing config) say it best. */
    private static String why(JsonProcessingException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof StreamReadException) {
                return "it is not JSON";
            }
            if (!(t instanceof JsonProcessingException) && t.getMessage() != null) {
                return t.getMessage();
            }
        }
        return e.getOriginalMessage();
    }

    private static byte[] write(ObjectWriter writer, Object document) {
        try {
            return writer.writeValueAsBytes(document);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
