package dev.lifeline.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.oas.OpenApi30;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Validates sandbox responses against {@code cloudflare-openapi-subset.json} (a copy of
 * {@code shared/reference/} in test resources): finds the operation by method and path template,
 * picks the response for the status ({@code 200}, {@code 202}, else {@code 4XX}), and validates
 * the JSON body with networknt's OpenAPI 3.0 dialect (which honours {@code nullable}).
 *
 * <p>Two deliberate rules, both about defects of the subset rather than of the sandbox:
 * <ul>
 *   <li>The Workers operations declare their {@code 4XX} body as {@code allOf[<success response>,
 *       <failure envelope>]}; the first requires {@code success: true}, the second
 *       {@code success: false}, so no body can satisfy both. Error bodies of those operations are
 *       validated against the failure envelope alone.</li>
 *   <li>The subset declares no {@code 5XX} responses; injected 5xx bodies are validated against the
 *       operation's {@code 4XX} failure envelope, since Cloudflare uses one error envelope.</li>
 * </ul>
 *
 * <p>Public, and shipped in this module's test-jar, so that other modules' tests (the Cloudflare
 * client's) validate what the sandbox answers them with the same rules instead of a copy.
 */
public final class OpenApiContract {
    private static final String RESOURCE = "cloudflare-openapi-subset.json";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonNode SPEC;
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4,
            b -> b.metaSchema(OpenApi30.getInstance()).defaultMetaSchemaIri(OpenApi30.getInstance().getIri()));
    private static final Map<String, JsonSchema> CACHE = new ConcurrentHashMap<>();
    static final AtomicInteger VALIDATED = new AtomicInteger();

    static {
        try (InputStream in = OpenApiContract.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            SPEC = MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private OpenApiContract() {
    }

    /** The spec path template matching a concrete path below /client/v4, or null. */
    public static String template(String method, String path) {
        Iterator<Map.Entry<String, JsonNode>> it = SPEC.get("paths").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            String regex = e.getKey().replaceAll("\\{[^/]+}", "[^/]+");
            if (Pattern.matches(regex, path) && e.getValue().has(method.toLowerCase(Locale.ROOT))) {
                return e.getKey();
            }
        }
        return null;
    }

    /**
     * Validates one response; throws {@link AssertionError} naming the operation and every
     * violation. Non-JSON bodies (raw KV values, WAF pages) are not validated.
     *
     * @param path the raw (percent-encoded) path below {@code /client/v4}, e.g.
     *     {@code /accounts/<id>/d1/database}
     */
    public static void check(String method, String path, int status, String contentType, byte[] body) {
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).contains("json")) {
            return;
        }
        String template = template(method, path);
        if (template == null) {
            // Unknown routes answer the generic failure envelope; validate against D1's.
            validate("#/components/schemas/d1_api-response-common-failure", body, method + " " + path);
            return;
        }
        JsonNode responses = SPEC.get("paths").get(template).get(method.toLowerCase(Locale.ROOT)).get("responses");
        String key = responses.has(Integer.toString(status)) ? Integer.toString(status) : "4XX";
        if (status >= 200 && status < 300 && !responses.has(Integer.toString(status))) {
            throw new AssertionError(method + " " + template + ": status " + status + " is not documented");
        }
        JsonNode schema = responses.get(key).get("content").get("application/json").get("schema");
        String pointer = "#/paths/" + escape(template) + "/" + method.toLowerCase(Locale.ROOT) + "/responses/" + key
                + "/content/application~1json/schema";
        if (key.equals("4XX") && schema.has("allOf")) {
            for (JsonNode part : schema.get("allOf")) {
                String ref = part.path("$ref").asText("");
                if (ref.endsWith("failure")) {
                    pointer = ref; // see class comment: the allOf is unsatisfiable
                }
            }
        }
        validate(pointer, body, method + " " + template + " -> " + status);
    }

    /** How many bodies have passed validation in this JVM so far. */
    public static int validatedCount() {
        return VALIDATED.get();
    }

    private static void validate(String pointer, byte[] body, String what) {
        JsonSchema schema = CACHE.computeIfAbsent(pointer, p -> FACTORY.getSchema(
                SchemaLocation.of("classpath:" + RESOURCE + p), SchemaValidatorsConfig.builder().build()));
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (IOException e) {
            throw new AssertionError(what + ": body is not JSON: " + new String(body), e);
        }
        Set<ValidationMessage> errors = schema.validate(node);
        if (!errors.isEmpty()) {
            List<String> msgs = new ArrayList<>();
            errors.forEach(m -> msgs.add(m.getMessage()));
            throw new AssertionError(what + " violates the OpenAPI subset: " + msgs + "\nbody: " + node);
        }
        VALIDATED.incrementAndGet();
    }

    private static String escape(String template) {
        return template.replace("~", "~0").replace("/", "~1");
    }
}
