package dev.lifeline.activities.s3;

import dev.lifeline.activities.secrets.Secret;
import java.net.URI;
import java.nio.file.Path;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * An in-process s3proxy on 127.0.0.1 and an ephemeral port, with SigV4 authentication. Public so
 * the backup pipeline tests in other packages use the same server.
 */
public final class S3ProxyFixture implements AutoCloseable {
  static final String ACCESS_KEY = "test-access-key";
  static final String SECRET_KEY = "test-secret-key-never-logged";

  private final S3Proxy proxy;
  private final BlobStore blobStore;
  final URI endpoint;

  private S3ProxyFixture(BlobStore blobStore, boolean authenticate) throws Exception {
    this.blobStore = blobStore;
    this.proxy =
        S3Proxy.builder()
            .blobStore(blobStore)
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(
                authenticate ? AuthenticationType.AWS_V2_OR_V4 : AuthenticationType.NONE,
                ACCESS_KEY,
                SECRET_KEY)
            .build();
    proxy.start();
    long deadline = System.currentTimeMillis() + 10_000;
    while (!"STARTED".equals(proxy.getState())) {
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("s3proxy did not start: " + proxy.getState());
      }
      Thread.sleep(10);
    }
    this.endpoint = URI.create("http://127.0.0.1:" + proxy.getPort());
  }

  /** In-memory backend (jimfs), for small objects. */
  public static S3ProxyFixture inMemory() throws Exception {
    return new S3ProxyFixture(new TransientNio2BlobStore(), true);
  }

  /**
   * Filesystem backend under {@code dir}, for objects that must not sit in the heap. Without
   * authentication: s3proxy reads a whole signed non-chunked request body into memory to verify its
   * SigV4 payload hash, which would put the server's buffers, not the client's, in a heap
   * measurement. The client still signs every request.
   */
  public static S3ProxyFixture onDisk(Path dir) throws Exception {
    return new S3ProxyFixture(new FilesystemNio2BlobStore(dir.toString()), false);
  }

  public void createBucket(String name) {
    blobStore.createContainer(name);
  }

  public ObjectStoreOptions.Builder options(String bucket) {
    return ObjectStoreOptions.newBuilder()
        .endpoint(endpoint)
        .region("auto")
        .pathStyle(true)
        .bucket(bucket)
        .credentials(ACCESS_KEY, Secret.of(SECRET_KEY));
  }

  /** A plain SDK client for assertions the store does not offer (multipart upload listings). */
  public S3Client rawClient() {
    return S3Client.builder()
        .endpointOverride(endpoint)
        .region(Region.of("auto"))
        .forcePathStyle(true)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        .build();
  }

  @Override
  public void close() throws Exception {
    proxy.stop();
  }
}
