package dev.lifeline.sandbox;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Programmatic access to the sandbox's account, for seeding and for asserting what the API did:
 * create and list D1 databases (and reach their SQLite files), KV namespaces and entries, R2
 * buckets and objects, Worker scripts, versions and deployments; record Time Travel restore points.
 *
 * <p>Changes made here are visible to the REST API at once. Writes made directly to a D1 file
 * (through {@link D1Database#file()}) are picked up by Time Travel within a quarter second; such
 * writers must keep the file in rollback-journal mode (not WAL). Thread-safe.
 */
public final class SandboxAccount {

    private final CloudflareSandbox sandbox;

    SandboxAccount(CloudflareSandbox sandbox) {
        this.sandbox = sandbox;
    }

    /** A D1 database: its id, name, version ({@code production}, {@code beta} or {@code alpha}) and SQLite file. */
    public record D1Database(String uuid, String name, String version, Instant createdAt, Path file) {
    }

    /** A KV namespace. */
    public record KvNamespace(String id, String title) {
    }

    /** A KV entry; {@code metadataJson} and {@code expiration} (epoch seconds) may be null. */
    public record KvEntry(String key, byte[] value, String metadataJson, Long expiration) {
    }

    /** An R2 bucket. */
    public record R2Bucket(String name, Instant creationDate, String location, String storageClass) {
    }

    /** An R2 object's bytes, user metadata and ETag. */
    public record R2Object(byte[] data, Map<String, String> userMetadata, String eTag) {
    }

    /** A Worker version: id, number (1-based, increasing) and creation time. */
    public record WorkerVersion(String id, int number, Instant createdOn) {
    }

    /** A Worker deployment: id, creation time, message and version id → percentage. */
    public record WorkerDeployment(String id, Instant createdOn, String message, Map<String, Double> versions) {
    }

    // ---------------------------------------------------------------- D1

    /** Creates a {@code production} D1 database. */
    public D1Database createD1Database(String name) {
        return createD1Database(name, "production");
    }

    /** Creates a D1 database with the given version ({@code alpha} databases refuse Time Travel). */
    public D1Database createD1Database(String name, String version) {
        try {
            return toRecord(sandbox.d1().create(name, version, null));
        } catch (ApiException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Every D1 database, oldest first. */
    public List<D1Database> d1Databases() {
        List<D1Database> out = new ArrayList<>();
        for (D1Instance db : sandbox.d1().list()) {
            out.add(toRecord(db));
        }
        return out;
    }

    /** The D1 database with this uuid or name. */
    public Optional<D1Database> findD1Database(String uuidOrName) {
        return sandbox.d1().find(uuidOrName).map(SandboxAccount::toRecord);
    }

    /** The SQLite file of a D1 database (uuid or name). */
    public Path d1DatabaseFile(String uuidOrName) {
        return requireDb(uuidOrName).file;
    }

    /** Deletes a D1 database and its restore points. */
    public void deleteD1Database(String uuidOrName) {
        sandbox.d1().delete(requireDb(uuidOrName));
    }

    /**
     * Records a Time Travel restore point of the database's current state now (unless its newest
     * point already holds that state) and returns its bookmark. Useful before changing the file
     * directly, so the state before the change is restorable to the millisecond.
     */
    public String captureRestorePoint(String uuidOrName) {
        D1Instance db = requireDb(uuidOrName);
        db.lock.lock();
        try {
            return db.settle().bookmark();
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        } finally {
            db.lock.unlock();
        }
    }

    /** The bookmarks of the database's restore points, oldest first. */
    public List<String> restorePoints(String uuidOrName) {
        D1Instance db = requireDb(uuidOrName);
        db.lock.lock();
        try {
            List<String> out = new ArrayList<>();
            for (D1Instance.Point p : db.points()) {
                out.add(p.bookmark());
            }
            return out;
        } finally {
            db.lock.unlock();
        }
    }

    private D1Instance requireDb(String uuidOrName) {
        return sandbox.d1().find(uuidOrName)
                .orElseThrow(() -> new IllegalArgumentException("no D1 database " + uuidOrName));
    }

    private static D1Database toRecord(D1Instance db) {
        return new D1Database(db.uuid, db.name, db.version, db.createdAt, db.file);
    }

    // ---------------------------------------------------------------- KV

    /** Creates a KV namespace. */
    public KvNamespace createKvNamespace(String title) {
        try {
            KvService.Namespace ns = sandbox.kv().createNamespace(title);
            return new KvNamespace(ns.id(), ns.title());
        } catch (ApiException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Every KV namespace, in creation order. */
    public List<KvNamespace> kvNamespaces() {
        List<KvNamespace> out = new ArrayList<>();
        for (KvService.Namespace ns : sandbox.kv().namespaces(null, false)) {
            out.add(new KvNamespace(ns.id(), ns.title()));
        }
        return out;
    }

    /** The namespace with this id or title. */
    public Optional<KvNamespace> findKvNamespace(String idOrTitle) {
        return sandbox.kv().find(idOrTitle).map(ns -> new KvNamespace(ns.id(), ns.title()));
    }

    /**
     * Writes a KV entry without the API's checks on expiration (so tests can plant entries that are
     * about to expire). {@code metadataJson} and {@code expiration} (epoch seconds) may be null.
     */
    public void putKv(String namespaceIdOrTitle, String key, byte[] value, String metadataJson, Long expiration) {
        KvService.validateKey(key);
        sandbox.kv().store(requireNs(namespaceIdOrTitle), key, value, metadataJson, expiration);
    }

    /** The live (unexpired) entry, if any. */
    public Optional<KvEntry> getKv(String namespaceIdOrTitle, String key) {
        return sandbox.kv().get(requireNs(namespaceIdOrTitle), key)
                .map(e -> new KvEntry(e.key(), e.value(), e.metadata(), e.expiration()));
    }

    /** Deletes an entry; returns whether it existed. */
    public boolean deleteKv(String namespaceIdOrTitle, String key) {
        return sandbox.kv().delete(requireNs(namespaceIdOrTitle), key);
    }

    /** Every live entry of a namespace, by key. */
    public List<KvEntry> kvEntries(String namespaceIdOrTitle) {
        List<KvEntry> out = new ArrayList<>();
        for (KvService.Entry e : sandbox.kv().entries(requireNs(namespaceIdOrTitle))) {
            out.add(new KvEntry(e.key(), e.value(), e.metadata(), e.expiration()));
        }
        return out;
    }

    private String requireNs(String idOrTitle) {
        return sandbox.kv().find(idOrTitle)
                .orElseThrow(() -> new IllegalArgumentException("no KV namespace " + idOrTitle)).id();
    }

    // ---------------------------------------------------------------- R2

    /** Creates an R2 bucket (location {@code enam}, storage class {@code Standard}). */
    public R2Bucket createR2Bucket(String name) {
        try {
            R2Service.BucketInfo b = sandbox.r2().create(name, null, null, "default");
            return new R2Bucket(b.name(), b.creationDate(), b.location(), b.storageClass());
        } catch (ApiException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Every bucket on the S3 server, by name. */
    public List<R2Bucket> r2Buckets() {
        List<R2Bucket> out = new ArrayList<>();
        for (R2Service.BucketInfo b : sandbox.r2().buckets()) {
            out.add(new R2Bucket(b.name(), b.creationDate(), b.location(), b.storageClass()));
        }
        return out;
    }

    /** Stores an object (in-process, no HTTP); {@code userMetadata} may be empty. */
    public void putR2Object(String bucket, String key, byte[] data, Map<String, String> userMetadata) {
        sandbox.r2().putObject(bucket, key, data, userMetadata, null);
    }

    /** Reads an object, if it exists. */
    public Optional<R2Object> getR2Object(String bucket, String key) {
        return sandbox.r2().getObject(bucket, key).map(o -> new R2Object(o.data(), o.userMetadata(), o.eTag()));
    }

    /** The object keys of a bucket, in S3 listing order. */
    public List<String> r2ObjectKeys(String bucket) {
        return sandbox.r2().keys(bucket);
    }

    /** Deletes an object. */
    public void deleteR2Object(String bucket, String key) {
        sandbox.r2().deleteObject(bucket, key);
    }

    /** Inverts the bytes at {@code offsets} of a stored object in place (bit rot: recorded ETag and metadata unchanged). */
    public void flipR2ObjectBytes(String bucket, String key, int... offsets) {
        try {
            sandbox.r2().corruptInPlace(bucket, key, offsets);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------- Workers

    /** Creates a Worker script (no versions yet). */
    public void createWorkerScript(String name) {
        sandbox.workers().createScript(name);
    }

    /** Uploads a new version of a script; {@code message} and {@code tag} may be null. */
    public WorkerVersion addWorkerVersion(String script, String message, String tag) {
        try {
            return toVersion(sandbox.workers().addVersion(script, message, tag, null));
        } catch (ApiException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** Deploys one version at 100% (no secrets check), as a fresh upload would. */
    public WorkerDeployment deployWorker(String script, String versionId, String message) {
        ObjectNode v = Json.object();
        v.put("version_id", versionId);
        v.put("percentage", 100.0);
        return toDeployment(sandbox.workers().record(script, Json.array().add(v), message, "deployment"));
    }

    /** Every script name. */
    public List<String> workerScripts() {
        return sandbox.workers().scripts();
    }

    /** A script's versions, newest first. */
    public List<WorkerVersion> workerVersions(String script) {
        List<WorkerVersion> out = new ArrayList<>();
        sandbox.workers().versions(script).forEach(v -> out.add(toVersion(v)));
        return out;
    }

    /** A script's deployments, newest (serving) first. */
    public List<WorkerDeployment> workerDeployments(String script) {
        List<WorkerDeployment> out = new ArrayList<>();
        sandbox.workers().deployments(script).forEach(d -> out.add(toDeployment(d)));
        return out;
    }

    private static WorkerVersion toVersion(JsonNode v) {
        return new WorkerVersion(v.path("id").asText(), v.path("number").asInt(),
                Instant.parse(v.path("metadata").path("created_on").asText()));
    }

    private static WorkerDeployment toDeployment(JsonNode d) {
        Map<String, Double> versions = new java.util.LinkedHashMap<>();
        d.path("versions").forEach(v -> versions.put(v.path("version_id").asText(), v.path("percentage").asDouble()));
        return new WorkerDeployment(d.path("id").asText(), Instant.parse(d.path("created_on").asText()),
                d.path("annotations").path("workers/message").asText(null), versions);
    }
}
