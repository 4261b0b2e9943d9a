package dev.lifeline.sandbox;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.Bucket;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * R2: a real S3 server (s3proxy, in-process, on 127.0.0.1) for objects, so production S3 code is
 * exercised end to end, plus the bucket-management REST operations mapped onto its buckets.
 * Objects live on disk under the data directory (s3proxy's filesystem store, metadata in extended
 * attributes); if the filesystem has no user xattrs, an in-memory store is used instead.
 */
final class R2Service implements AutoCloseable {
    private static final Pattern BUCKET = Pattern.compile("^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$");

    private final SandboxRuntime runtime;
    final BlobStore blobStore;
    private final S3Proxy proxy;
    final Path root;
    final String accessKeyId;
    final String secretAccessKey;
    final URI endpoint;

    R2Service(SandboxRuntime runtime, int port) throws Exception {
        this.runtime = runtime;
        this.accessKeyId = runtime.store.setting("r2_access_key_id").orElseGet(() -> {
            String id = randomHex(16);
            runtime.store.setting("r2_access_key_id", id);
            return id;
        });
        this.secretAccessKey = runtime.store.setting("r2_secret_access_key").orElseGet(() -> {
            String secret = randomHex(32);
            runtime.store.setting("r2_secret_access_key", secret);
            return secret;
        });
        Path dir = runtime.dataDir.resolve("r2");
        Files.createDirectories(dir);
        if (supportsUserXattrs(dir)) {
            this.root = dir;
            this.blobStore = new FilesystemNio2BlobStore(dir.toString());
        } else {
            runtime.log.warn("{} has no user extended attributes; R2 objects are kept in memory", dir);
            this.root = null;
            this.blobStore = new TransientNio2BlobStore();
        }
        this.proxy = S3Proxy.builder()
                .blobStore(blobStore)
                .endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKeyId, secretAccessKey)
                .jettyMaxThreads(32)
                .stopTimeout(1000)
                .build();
        proxy.start();
        this.endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    private static boolean supportsUserXattrs(Path dir) {
        try {
            Path probe = Files.createTempFile(dir, ".xattr-probe", "");
            try {
                UserDefinedFileAttributeView view = Files.getFileAttributeView(probe, UserDefinedFileAttributeView.class);
                if (view == null) {
                    return false;
                }
                view.write("lifeline.probe", java.nio.ByteBuffer.wrap(new byte[] {1}));
                return true;
            } finally {
                Files.deleteIfExists(probe);
            }
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    // ---------------------------------------------------------------- buckets

    /** A bucket as the REST API describes it. */
    record BucketInfo(String name, Instant creationDate, String location, String storageClass, String jurisdiction) {
        ObjectNode json() {
            ObjectNode o = Json.object();
            o.put("name", name);
            o.put("creation_date", Json.iso(creationDate));
            o.put("location", location);
            o.put("storage_class", storageClass);
            o.put("jurisdiction", jurisdiction);
            return o;
        }
    }

    BucketInfo create(String name, String locationHint, String storageClass, String jurisdiction) {
        if (name == null || !BUCKET.matcher(name).matches()) {
            throw ApiException.badRequest(10005, "The specified bucket name is not valid.");
        }
        String location = locationHint == null ? "enam" : locationHint.toLowerCase(java.util.Locale.ROOT);
        if (!List.of("apac", "eeur", "enam", "weur", "wnam").contains(location)) {
            throw ApiException.badRequest(10040, "The specified location hint is not valid.");
        }
        String sc = storageClass == null ? "Standard" : storageClass;
        if (!List.of("Standard", "InfrequentAccess").contains(sc)) {
            throw ApiException.badRequest(10062, "The specified storage class is not valid.");
        }
        synchronized (this) {
            if (blobStore.containerExists(name)) {
                throw new ApiException(409, 10004, "The bucket you tried to create already exists, and you own it.");
            }
            blobStore.createContainer(name);
            Instant now = runtime.now();
            runtime.store.update("INSERT OR REPLACE INTO r2_buckets(name, location, storage_class, jurisdiction, created_at) "
                    + "VALUES(?,?,?,?,?)", name, location, sc, jurisdiction == null ? "default" : jurisdiction, now.toEpochMilli());
            return new BucketInfo(name, now, location, sc, jurisdiction == null ? "default" : jurisdiction);
        }
    }

    /** Every bucket on the S3 server, sorted by name; attributes from the bookkeeping where known. */
    List<BucketInfo> buckets() {
        Map<String, BucketInfo> known = new TreeMap<>();
        runtime.store.query("SELECT name, location, storage_class, jurisdiction, created_at FROM r2_buckets", rs -> {
            known.put(rs.getString(1), new BucketInfo(rs.getString(1), Instant.ofEpochMilli(rs.getLong(5)),
                    rs.getString(2), rs.getString(3), rs.getString(4)));
            return null;
        });
        List<BucketInfo> out = new ArrayList<>();
        for (Bucket b : blobStore.list().buckets()) {
            BucketInfo info = known.get(b.name());
            out.add(info != null ? info : new BucketInfo(b.name(),
                    b.creationDate() == null ? runtime.now() : b.creationDate(), "enam", "Standard", "default"));
        }
        return out;
    }

    Optional<BucketInfo> bucket(String name) {
        return buckets().stream().filter(b -> b.name().equals(name)).findFirst();
    }

    // ---------------------------------------------------------------- objects (programmatic)

    void putObject(String bucket, String key, byte[] data, Map<String, String> userMetadata, String contentType) {
        blobStore.putBlob(PutObjectRequest.builder().bucket(bucket).key(key).contentLength((long) data.length)
                .contentType(contentType == null ? "application/octet-stream" : contentType)
                .metadata(userMetadata == null ? Map.of() : userMetadata).build(), new ByteArrayInputStream(data));
    }

    /** An object's bytes and user metadata. */
    record StoredObject(byte[] data, Map<String, String> userMetadata, String eTag, String contentType) {
    }

    Optional<StoredObject> getObject(String bucket, String key) {
        if (!blobStore.blobExists(bucket, key)) {
            return Optional.empty();
        }
        try (ResponseInputStream<GetObjectResponse> in = blobStore.getBlob(bucket, key)) {
            byte[] data = in.readAllBytes();
            GetObjectResponse r = in.response();
            return Optional.of(new StoredObject(data, r.metadata(), r.eTag(), r.contentType()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<String> keys(String bucket) {
        List<String> keys = new ArrayList<>();
        String token = null;
        do {
            ListObjectsV2Response page = blobStore.list(ListObjectsV2Request.builder().bucket(bucket)
                    .continuationToken(token).maxKeys(1000).build());
            for (S3Object o : page.contents()) {
                keys.add(o.key());
            }
            token = Boolean.TRUE.equals(page.isTruncated()) ? page.nextContinuationToken() : null;
        } while (token != null);
        return keys;
    }

    void deleteObject(String bucket, String key) {
        blobStore.removeBlob(bucket, key);
    }

    /**
     * Overwrites bytes of a stored object in place, the way bit rot or a bad disk would: on the
     * filesystem store the recorded ETag and user metadata stay as they were.
     */
    void corruptInPlace(String bucket, String key, int[] offsets) throws IOException {
        if (root != null) {
            Path file = root.resolve(bucket).resolve(key);
            if (Files.isRegularFile(file)) {
                try (var ch = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.READ,
                        java.nio.file.StandardOpenOption.WRITE)) {
                    for (int off : offsets) {
                        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1);
                        ch.read(b, off);
                        b.flip();
                        byte v = (byte) (b.get() ^ 0xFF);
                        ch.write(java.nio.ByteBuffer.wrap(new byte[] {v}), off);
                    }
                }
                return;
            }
        }
        StoredObject o = getObject(bucket, key).orElseThrow();
        byte[] data = o.data().clone();
        for (int off : offsets) {
            data[off] ^= (byte) 0xFF;
        }
        putObject(bucket, key, data, o.userMetadata(), o.contentType());
    }

    InputStream open(String bucket, String key) {
        return blobStore.getBlob(bucket, key);
    }

    @Override
    public void close() {
        try {
            proxy.stop();
        } catch (Exception e) {
            runtime.log.debug("stopping the S3 server failed", e);
        }
    }
}
