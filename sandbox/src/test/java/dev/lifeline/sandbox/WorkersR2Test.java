package dev.lifeline.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;

class WorkersR2Test {
    static CloudflareSandbox sandbox;
    static Api api;
    static List<String> versions = new ArrayList<>();

    @BeforeAll
    static void start() {
        sandbox = CloudflareSandbox.start(SandboxOptions.builder().build());
        api = new Api(sandbox);
        sandbox.account().createWorkerScript("gateway");
        for (int i = 0; i < 12; i++) {
            SandboxAccount.WorkerVersion v = sandbox.account().addWorkerVersion("gateway", "release " + i, null);
            versions.add(v.id());
            sandbox.account().deployWorker("gateway", v.id(), "deploy " + i);
        }
    }

    @AfterAll
    static void stop() {
        sandbox.close();
    }

    @AfterEach
    void clear() {
        sandbox.faults().clear();
    }

    static String scripts(String rest) {
        return api.account("/workers/scripts/gateway" + rest);
    }

    @Test
    void versionsPageWithItemsWrapperAndDetailHasResources() {
        List<Integer> numbers = new ArrayList<>();
        for (int page = 1; page <= 3; page++) {
            Api.Response r = api.get(scripts("/versions?per_page=5&page=" + page));
            r.result().get("items").forEach(v -> numbers.add(v.get("number").asInt()));
            assertThat(r.json().get("result_info").get("total_count").asInt()).isEqualTo(12);
        }
        assertThat(numbers).hasSize(12).isSortedAccordingTo((a, b) -> b - a);
        JsonNode detail = api.get(scripts("/versions/" + versions.get(0))).result();
        assertThat(detail.get("number").asInt()).isEqualTo(1);
        assertThat(detail.get("resources").get("script_runtime").get("compatibility_date").asText()).isNotEmpty();
        assertThat(api.get(api.account("/workers/scripts/nope/versions")).errorCode()).isEqualTo(10007);
    }

    @Test
    void deploymentsNewestFirstRollbackBlockedBySecretsUntilForced() {
        JsonNode list = api.get(scripts("/deployments")).result().get("deployments");
        assertThat(list.get(0).get("versions").get(0).get("version_id").asText()).isEqualTo(versions.get(11));
        assertThat(list.get(0).get("created_on").asText()).isGreaterThanOrEqualTo(list.get(1).get("created_on").asText());

        sandbox.faults().rollbackBlockedBySecrets("gateway", "DB_PASSWORD", "STRIPE_KEY");
        Map<String, Object> body = Map.of("strategy", "percentage",
                "versions", List.of(Map.of("version_id", versions.get(10), "percentage", 100)),
                "annotations", Map.of("workers/message", "Rollback after incident"));
        Api.Response blocked = api.post(scripts("/deployments"), body);
        assertThat(blocked.status()).isEqualTo(400);
        assertThat(blocked.errorCode()).isEqualTo(10220);
        assertThat(blocked.errorMessage()).contains("The following secrets have changed: DB_PASSWORD, STRIPE_KEY");
        Api.Response forced = api.post(scripts("/deployments?force=true"), body);
        assertThat(forced.status()).isEqualTo(200);
        String newest = forced.result().get("id").asText();
        assertThat(api.get(scripts("/deployments")).result().get("deployments").get(0).get("id").asText()).isEqualTo(newest);
        assertThat(api.get(scripts("/deployments/" + newest)).result().get("annotations").get("workers/message").asText())
                .isEqualTo("Rollback after incident");

        Api.Response split = api.post(scripts("/deployments"), Map.of("strategy", "percentage", "versions", List.of(
                Map.of("version_id", versions.get(11), "percentage", 90), Map.of("version_id", versions.get(10), "percentage", 20))));
        assertThat(split.status()).isEqualTo(400);
    }

    @Test
    void deleteOnlyNonLatestDeployments() {
        JsonNode list = api.get(scripts("/deployments")).result().get("deployments");
        String latest = list.get(0).get("id").asText();
        String older = list.get(list.size() - 1).get("id").asText();
        assertThat(api.delete(scripts("/deployments/" + latest)).status()).isEqualTo(400);
        assertThat(api.delete(scripts("/deployments/" + older)).status()).isEqualTo(200);
        assertThat(api.get(scripts("/deployments/" + older)).status()).isEqualTo(404);
    }

    @Test
    void bucketsListWithCursorGetAndCreate() {
        for (int i = 0; i < 7; i++) {
            assertThat(api.post(api.account("/r2/buckets"), Map.of("name", "bucket-" + i, "locationHint", "weur")).status())
                    .isEqualTo(200);
        }
        assertThat(api.post(api.account("/r2/buckets"), Map.of("name", "bucket-0")).status()).isEqualTo(409);
        assertThat(api.post(api.account("/r2/buckets"), Map.of("name", "Bad_Name")).errorCode()).isEqualTo(10005);
        List<String> names = new ArrayList<>();
        String cursor = "";
        int pages = 0;
        do {
            Api.Response r = api.get(api.account("/r2/buckets?name_contains=bucket-&per_page=3" + (cursor.isEmpty() ? "" : "&cursor=" + cursor)));
            r.result().get("buckets").forEach(b -> names.add(b.get("name").asText()));
            assertThat(r.json().get("result_info").get("per_page").asInt()).isEqualTo(3);
            cursor = r.json().get("result_info").get("cursor").asText();
            pages++;
        } while (!cursor.isEmpty());
        assertThat(pages).isEqualTo(3);
        assertThat(names).containsExactly("bucket-0", "bucket-1", "bucket-2", "bucket-3", "bucket-4", "bucket-5", "bucket-6");
        JsonNode got = api.get(api.account("/r2/buckets/bucket-3")).result();
        assertThat(got.get("location").asText()).isEqualTo("weur");
        assertThat(api.get(api.account("/r2/buckets/no-such-bucket")).status()).isEqualTo(404);
    }

    @Test
    void s3ServerStoresObjectsForTheAwsSdkAndTheEnvironmentNamesIt() throws Exception {
        sandbox.account().createR2Bucket("monotask-backups");
        Map<String, String> env = sandbox.environment();
        assertThat(env).containsEntry("AWS_REGION", "auto").containsEntry("BACKUP_R2_BUCKET", "monotask-backups")
                .doesNotContainKey("SECONDARY_R2_BUCKET");
        try (S3Client s3 = S3Client.builder().endpointOverride(URI.create(env.get("R2_ENDPOINT")))
                .region(Region.of("auto")).forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        env.get("R2_ACCESS_KEY_ID"), env.get("R2_SECRET_ACCESS_KEY"))))
                .build()) {
            byte[] data = "backup bytes".getBytes(StandardCharsets.UTF_8);
            s3.putObject(b -> b.bucket("monotask-backups").key("d1/2026/backup.sql").metadata(Map.of("sha256", "abc"))
                    .checksumAlgorithm(ChecksumAlgorithm.SHA256), RequestBody.fromBytes(data));
            assertThat(s3.getObjectAsBytes(b -> b.bucket("monotask-backups").key("d1/2026/backup.sql")).asByteArray())
                    .isEqualTo(data);
            assertThat(sandbox.account().getR2Object("monotask-backups", "d1/2026/backup.sql").orElseThrow().userMetadata())
                    .containsEntry("sha256", "abc");
            assertThat(api.get(api.account("/r2/buckets/monotask-backups")).result().get("name").asText()).isEqualTo("monotask-backups");
        }
    }
}
