package dev.lifeline.activities.s3;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.DeleteObjectsResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@link ObjectStore} over the S3 API with aws-sdk-java-v2: R2, AWS S3, and S3-compatible servers.
 *
 * <p>Configured for R2's quirks: path-style addressing, region {@code auto}, no aws-chunked
 * encoding ({@code chunkedEncodingEnabled(false)}, else PutObject fails SigV4 on R2), and checksums
 * only where an operation requires one ({@code WHEN_REQUIRED} for calculation and validation; the
 * SDK's default CRC32 trailers have broken R2 before). Integrity is end to end instead: uploads
 * return the SHA-256 of the consumed bytes for the caller's manifest.
 *
 * <p>Transport integrity depends on the scheme, and so does the CPU cost. Over https (R2 always)
 * the SDK sends {@code UNSIGNED-PAYLOAD} and TLS protects each part's body. Over plain http (the
 * sandbox, local S3 servers) the SDK cannot, and signs the payload: it SHA-256s every part before
 * sending it, and the server buffers the part and recomputes that hash. Measured on the 1.1 GB
 * backup benchmark that is about 0.15 CPU-seconds per 100 MB of ciphertext on both sides together,
 * a cost production does not pay. It is kept, not switched off: over http it is the only check
 * the server makes that the body arrived intact.
 *
 * <p>Uploads read the source one part at a time into a pool of {@code maxPartsInFlight + 1}
 * buffers, upload up to {@code maxPartsInFlight} parts concurrently, and hand the SDK each part
 * through a {@code ContentStreamProvider} over the buffer (no copy), so memory per upload is about
 * {@code (maxPartsInFlight + 1) * partSize} whatever the object size. Thread-safe.
 */
public final class S3ObjectStore implements ObjectStore {
  private static final Logger log = LoggerFactory.getLogger(S3ObjectStore.class);
  private static final int MAX_PARTS = 10_000;
  private static final int DELETE_BATCH = 1000;
  private static final int MAX_KEY_BYTES = 1024;
  private static final String OCTET_STREAM = "application/octet-stream";

  private final ObjectStoreOptions options;
  private final S3Client s3;
  private final ExecutorService partUploads;
  private final String bucket;

  private S3ObjectStore(ObjectStoreOptions options) {
    this.options = Objects.requireNonNull(options, "options");
    this.bucket = options.bucket();
    AwsCredentialsProvider credentials =
        options.accessKeyId() != null
            ? StaticCredentialsProvider.create(
                AwsBasicCredentials.create(
                    options.accessKeyId(), options.secretAccessKey().reveal()))
            : DefaultCredentialsProvider.builder().build();
    var builder =
        S3Client.builder()
            .region(Region.of(options.region()))
            .credentialsProvider(credentials)
            .forcePathStyle(options.pathStyle())
            .serviceConfiguration(
                S3Configuration.builder()
                    .chunkedEncodingEnabled(false)
                    .build())
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .httpClientBuilder(
                Apache5HttpClient.builder()
                    .connectionTimeout(options.connectTimeout())
                    .socketTimeout(options.socketTimeout())
                    .maxConnections(options.maxConnections()));
    if (options.endpoint() != null) {
      builder.endpointOverride(options.endpoint());
    }
    this.s3 = builder.build();
    AtomicInteger threads = new AtomicInteger();
    this.partUploads =
        Executors.newCachedThreadPool(
            r -> {
              Thread th = new Thread(r, "s3-part-upload-" + threads.incrementAndGet());
              th.setDaemon(true);
              return th;
            });
  }

  /** A store for these options. Close it to release connections and threads. */
  public static S3ObjectStore create(ObjectStoreOptions options) {
    return new S3ObjectStore(options);
  }

  @Override
  public String bucket() {
    return bucket;
  }

  public ObjectStoreOptions options() {
    return options;
  }

  // ---------------------------------------------------------------- upload

  @Override
  public UploadResult upload(String key, InputStream content, PutOptions putOptions) {
    checkKey(key);
    Objects.requireNonNull(content, "content");
    PutOptions o = putOptions == null ? PutOptions.DEFAULT : putOptions;
    String contentType = o.contentType() == null ? OCTET_STREAM : o.contentType();
    int partSize = options.partSize();
    BufferPool pool = new BufferPool(options.maxPartsInFlight() + 1, partSize);
    MessageDigest sha = sha256();

    byte[] first = pool.take();
    int n = readFully(content, first, partSize);
    sha.update(first, 0, n);
    if (n < partSize) {
      return putSingle(key, first, n, contentType, o.userMetadata(), sha);
    }
    return putMultipart(key, content, contentType, o.userMetadata(), pool, first, sha);
  }

  private UploadResult putSingle(
      String key, byte[] buf, int len, String contentType, Map<String, String> meta,
      MessageDigest sha) {
    try {
      var r =
          s3.putObject(
              b -> b.bucket(bucket).key(key).contentType(contentType).metadata(meta)
                  .contentLength((long) len),
              RequestBody.fromContentProvider(
                  () -> new ByteArrayInputStream(buf, 0, len), len, contentType));
      return new UploadResult(key, len, HexFormat.of().formatHex(sha.digest()), unquote(r.eTag()));
    } catch (SdkException e) {
      throw map("PutObject", key, e);
    }
  }

  private UploadResult putMultipart(
      String key,
      InputStream content,
      String contentType,
      Map<String, String> meta,
      BufferPool pool,
      byte[] first,
      MessageDigest sha) {
    int partSize = options.partSize();
    String uploadId;
    try {
      uploadId =
          s3.createMultipartUpload(
                  b -> b.bucket(bucket).key(key).contentType(contentType).metadata(meta))
              .uploadId();
    } catch (SdkException e) {
      throw map("CreateMultipartUpload", key, e);
    }
    List<Future<CompletedPart>> parts = new ArrayList<>();
    Semaphore inFlight = new Semaphore(options.maxPartsInFlight());
    long size = 0;
    try {
      byte[] current = first;
      int len = partSize;
      int partNumber = 0;
      while (true) {
        partNumber++;
        if (partNumber > MAX_PARTS) {
          throw new IllegalArgumentException(
              "object exceeds " + MAX_PARTS + " parts of " + partSize + " bytes; raise partSize");
        }
        size += len;
        inFlight.acquire();
        failFast(parts);
        final byte[] buf = current;
        final int bufLen = len;
        final int number = partNumber;
        parts.add(
            partUploads.submit(
                () -> {
                  try {
                    return uploadPart(key, uploadId, number, buf, bufLen);
                  } finally {
                    pool.give(buf);
                    inFlight.release();
                  }
                }));
        if (bufLen < partSize) {
          break; // a short part is the last one
        }
        current = pool.take(); // blocks while all buffers are being uploaded
        len = readFully(content, current, partSize);
        if (len == 0) {
          pool.give(current);
          break;
        }
        sha.update(current, 0, len);
      }
      List<CompletedPart> completed = new ArrayList<>(parts.size());
      for (Future<CompletedPart> f : parts) {
        completed.add(await(f));
      }
      String etag = complete(bucket, key, uploadId, completed, size);
      return new UploadResult(key, size, HexFormat.of().formatHex(sha.digest()), etag);
    } catch (Throwable t) {
      for (Future<CompletedPart> f : parts) {
        f.cancel(true);
      }
      abort(key, uploadId, t);
      if (t instanceof InterruptedException) {
        Thread.currentThread().interrupt();
        throw new ObjectStoreException("Upload interrupted", bucket, key, 0, true, t);
      }
      if (t instanceof SdkException e) {
        throw map("multipart upload", key, e);
      }
      if (t instanceof RuntimeException re) {
        throw re;
      }
      if (t instanceof Error err) {
        throw err;
      }
      throw new ObjectStoreException("Upload failed", bucket, key, 0, true, t);
    }
  }

  /**
   * Completes a multipart upload and answers the object's ETag.
   *
   * <p>CompleteMultipartUpload is not idempotent. A server assembling a large object can take
   * longer than the socket timeout; the server finishes, the answer is lost, the SDK retries, and
   * the retry finds the upload gone: {@code NoSuchUpload}. So on {@code NoSuchUpload} the object
   * is looked at, and the upload counts as complete only when the object is there with exactly the
   * size uploaded and the ETag S3 gives that list of parts (hex MD5 of the parts' binary MD5s, a
   * dash, the part count). Anything else is a failure the caller retries by uploading again;
   * nothing is assumed. (Backups also hash the stored object when they are verified.)
   */
  private String complete(
      String bucketName, String key, String uploadId, List<CompletedPart> parts, long size) {
    try {
      return unquote(
          s3.completeMultipartUpload(
                  b -> b.bucket(bucketName).key(key).uploadId(uploadId)
                      .multipartUpload(m -> m.parts(parts)))
              .eTag());
    } catch (S3Exception e) {
      if (!isNoSuchUpload(e)) {
        throw e;
      }
      String expected = multipartEtag(parts);
      if (expected == null) {
        throw e;
      }
      // The first request may still be writing the object on a server that does not complete
      // atomically (s3proxy's filesystem backend), so look a few times before giving up.
      for (long waitMs : COMPLETION_CHECK_WAITS_MS) {
        if (!pause(waitMs)) {
          throw e;
        }
        Optional<ObjectInfo> stored = headIn(bucketName, key);
        if (stored.isPresent() && stored.get().size() == size && expected.equals(stored.get().etag())) {
          log.info(
              "CompleteMultipartUpload of {} answered NoSuchUpload, but the object is there with the "
                  + "{} parts' ETag {} and {} bytes: the upload had completed (a retried request)",
              key, parts.size(), expected, size);
          return expected;
        }
      }
      throw e;
    }
  }

  private static final long[] COMPLETION_CHECK_WAITS_MS = {0, 250, 500, 1_000, 2_000};

  /** Sleeps; false (with the interrupt flag set again) when interrupted. */
  private static boolean pause(long ms) {
    try {
      Thread.sleep(ms);
      return true;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  static boolean isNoSuchUpload(S3Exception e) {
    return e instanceof NoSuchUploadException
        || (e.awsErrorDetails() != null && "NoSuchUpload".equals(e.awsErrorDetails().errorCode()));
  }

  /**
   * The ETag S3 gives an object completed from these parts, or null when a part's ETag is not a
   * plain MD5.
   */
  static String multipartEtag(List<CompletedPart> parts) {
    MessageDigest md5;
    try {
      md5 = MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    for (CompletedPart p : parts) {
      String hex = unquote(p.eTag());
      if (hex == null || !hex.matches("[0-9a-fA-F]{32}")) {
        return null;
      }
      md5.update(HexFormat.of().parseHex(hex));
    }
    return HexFormat.of().formatHex(md5.digest()) + "-" + parts.size();
  }

  private CompletedPart uploadPart(String key, String uploadId, int number, byte[] buf, int len) {
    // The provider re-creates the stream over the same buffer, so SDK retries resend the part
    // without the SDK copying it.
    var r =
        s3.uploadPart(
            b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(number)
                .contentLength((long) len),
            RequestBody.fromContentProvider(
                () -> new ByteArrayInputStream(buf, 0, len), len, OCTET_STREAM));
    return CompletedPart.builder().partNumber(number).eTag(r.eTag()).build();
  }

  /** Rethrows the failure of any part that already failed, so a bad upload stops reading early. */
  private static void failFast(List<Future<CompletedPart>> parts) throws Exception {
    for (Future<CompletedPart> f : parts) {
      if (f.isDone()) {
        await(f);
      }
    }
  }

  private static CompletedPart await(Future<CompletedPart> f) throws Exception {
    try {
      return f.get();
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof Exception ex) {
        throw ex;
      }
      throw e;
    }
  }

  private void abort(String key, String uploadId, Throwable cause) {
    try {
      s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
      log.debug("Aborted multipart upload of {} after: {}", key, cause.toString());
    } catch (RuntimeException e) {
      // The upload's parts may linger until a bucket lifecycle rule removes them; say so.
      log.warn("Could not abort multipart upload {} of {}: {}", uploadId, key, e.toString());
      cause.addSuppressed(e);
    }
  }

  private static int readFully(InputStream in, byte[] buf, int len) {
    int total = 0;
    try {
      while (total < len) {
        int n = in.read(buf, total, len - total);
        if (n < 0) {
          break;
        }
        total += n;
      }
      return total;
    } catch (IOException e) {
      throw new UncheckedIOException("reading the upload source failed", e);
    }
  }

  /** A bounded set of part buffers, allocated on first use and reused. */
  private static final class BufferPool {
    private final ArrayBlockingQueue<byte[]> free;
    private final int max;
    private final int size;
    private int created;

    BufferPool(int max, int size) {
      this.free = new ArrayBlockingQueue<>(max);
      this.max = max;
      this.size = size;
    }

    byte[] take() {
      byte[] b = free.poll();
      if (b != null) {
        return b;
      }
      synchronized (this) {
        if (created < max) {
          created++;
          return new byte[size];
        }
      }
      try {
        return free.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ObjectStoreException("Interrupted waiting for a part buffer", "-", null, 0, true, e);
      }
    }

    void give(byte[] b) {
      free.offer(b);
    }
  }

  // ---------------------------------------------------------------- download

  @Override
  public InputStream openStream(String key, long offset) {
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0");
    }
    return get(key, offset > 0 ? "bytes=" + offset + "-" : null, null);
  }

  @Override
  public InputStream openRange(String key, long offset, long length) {
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException("offset and length must be >= 0");
    }
    if (length == 0) {
      return InputStream.nullInputStream();
    }
    return get(key, "bytes=" + offset + "-" + (offset + length - 1), null);
  }

  private InputStream get(String key, String range, String ifMatch) {
    checkKey(key);
    GetObjectRequest.Builder b = GetObjectRequest.builder().bucket(bucket).key(key);
    if (range != null) {
      b.range(range);
    }
    if (ifMatch != null) {
      b.ifMatch(ifMatch);
    }
    try {
      return new ReleasingInputStream(s3.getObject(b.build()));
    } catch (S3Exception e) {
      if (e.statusCode() == 416) {
        return InputStream.nullInputStream(); // offset at the end: nothing left to read
      }
      throw map("GetObject", key, e);
    } catch (SdkException e) {
      throw map("GetObject", key, e);
    }
  }

  /** Aborts the HTTP response on an early close instead of draining the rest of the object. */
  private static final class ReleasingInputStream extends FilterInputStream {
    private final ResponseInputStream<GetObjectResponse> response;
    private boolean eof;

    ReleasingInputStream(ResponseInputStream<GetObjectResponse> response) {
      super(response);
      this.response = response;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      eof |= b < 0;
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      int n = super.read(buf, off, len);
      eof |= n < 0;
      return n;
    }

    @Override
    public void close() throws IOException {
      if (!eof) {
        response.abort();
      }
      super.close();
    }
  }

  @Override
  public long downloadTo(String key, Path target) {
    ObjectInfo info = head(key).orElseThrow(() -> new ObjectNotFoundException(bucket, key, null));
    try {
      long position = Files.exists(target) ? Files.size(target) : 0;
      if (position > info.size()) {
        // Longer than the object: not a partial copy of it. Start over.
        Files.write(target, new byte[0], StandardOpenOption.TRUNCATE_EXISTING);
        position = 0;
      }
      try (OutputStream out =
          Files.newOutputStream(target, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
        byte[] buf = new byte[64 * 1024];
        for (int attempt = 1; position < info.size(); attempt++) {
          // If-Match pins the version: a resumed download never splices two different objects.
          try (InputStream in = get(key, "bytes=" + position + "-", quote(info.etag()))) {
            int n;
            while ((n = in.read(buf)) != -1) {
              writeLocal(out, buf, n, target);
              position += n;
            }
            if (position < info.size()) {
              throw new IOException("stream ended at " + position + " of " + info.size());
            }
          } catch (IOException | ObjectStoreException e) {
            // Only read-side failures get here: local write failures are unchecked (no resume).
            if (e instanceof ObjectStoreException ose && !ose.retryable()) {
              throw ose;
            }
            if (attempt >= options.transferAttempts()) {
              throw new ObjectStoreException(
                  "Download kept failing at byte " + position, bucket, key, 0, true, e);
            }
            out.flush();
            log.debug("Download of {} dropped at byte {}; resuming: {}", key, position, e.toString());
          }
        }
      }
      return position;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + target, e);
    }
  }

  /** A local write failure (disk full) is not a dropped connection: never resume after it. */
  private static void writeLocal(OutputStream out, byte[] buf, int n, Path target) {
    try {
      out.write(buf, 0, n);
    } catch (IOException e) {
      throw new UncheckedIOException("writing " + target + " failed", e);
    }
  }

  // ---------------------------------------------------------------- metadata and listing

  @Override
  public Optional<ObjectInfo> head(String key) {
    return headIn(bucket, key);
  }

  private Optional<ObjectInfo> headIn(String bucketName, String key) {
    checkKey(key);
    try {
      HeadObjectResponse r = s3.headObject(b -> b.bucket(bucketName).key(key));
      return Optional.of(
          new ObjectInfo(
              key, r.contentLength(), unquote(r.eTag()), r.contentType(), r.metadata(),
              r.lastModified()));
    } catch (NoSuchKeyException e) {
      return Optional.empty();
    } catch (S3Exception e) {
      if (e.statusCode() == 404 && !(e instanceof NoSuchBucketException)) {
        return Optional.empty();
      }
      throw map("HeadObject", key, e);
    } catch (SdkException e) {
      throw map("HeadObject", key, e);
    }
  }

  @Override
  public Stream<ObjectSummary> list(String prefix) {
    Iterator<S3Object> it;
    try {
      it =
          s3.listObjectsV2Paginator(
                  b -> {
                    b.bucket(bucket).maxKeys(options.listPageSize());
                    if (prefix != null && !prefix.isEmpty()) {
                      b.prefix(prefix);
                    }
                  })
              .contents()
              .iterator();
    } catch (SdkException e) {
      throw map("ListObjectsV2", prefix, e);
    }
    Iterator<ObjectSummary> mapped =
        new Iterator<>() {
          @Override
          public boolean hasNext() {
            try {
              return it.hasNext();
            } catch (SdkException e) {
              throw map("ListObjectsV2", prefix, e);
            }
          }

          @Override
          public ObjectSummary next() {
            if (!hasNext()) {
              throw new NoSuchElementException();
            }
            S3Object o = it.next();
            return new ObjectSummary(o.key(), o.size(), unquote(o.eTag()), o.lastModified());
          }
        };
    return StreamSupport.stream(
        Spliterators.spliteratorUnknownSize(mapped, Spliterator.ORDERED | Spliterator.NONNULL),
        false);
  }

  // ---------------------------------------------------------------- copy and delete

  @Override
  public ObjectInfo copy(String sourceKey, String targetBucket, String targetKey) {
    checkKey(sourceKey);
    checkKey(targetKey);
    String destBucket = targetBucket == null ? bucket : targetBucket;
    ObjectInfo src =
        head(sourceKey).orElseThrow(() -> new ObjectNotFoundException(bucket, sourceKey, null));
    if (src.size() <= options.multipartCopyThreshold()) {
      try {
        s3.copyObject(
            b -> b.sourceBucket(bucket).sourceKey(sourceKey).destinationBucket(destBucket)
                .destinationKey(targetKey).copySourceIfMatch(quote(src.etag())));
      } catch (SdkException e) {
        throw map("CopyObject", sourceKey, e);
      }
    } else {
      multipartCopy(src, destBucket, targetKey);
    }
    return headIn(destBucket, targetKey)
        .orElseThrow(() -> new ObjectStoreException(
            "Copy reported success but the target is missing", destBucket, targetKey, 0, true, null));
  }

  private void multipartCopy(ObjectInfo src, String destBucket, String targetKey) {
    long size = src.size();
    long partSize = Math.max(options.copyPartSize(), (size + MAX_PARTS - 1) / MAX_PARTS);
    String uploadId;
    try {
      uploadId =
          s3.createMultipartUpload(
                  b -> b.bucket(destBucket).key(targetKey)
                      .contentType(src.contentType() == null ? OCTET_STREAM : src.contentType())
                      .metadata(src.userMetadata()))
              .uploadId();
    } catch (SdkException e) {
      throw map("CreateMultipartUpload", targetKey, e);
    }
    try {
      List<CompletedPart> parts = new ArrayList<>();
      int number = 0;
      for (long start = 0; start < size; start += partSize) {
        long end = Math.min(size, start + partSize) - 1;
        int n = ++number;
        String range = "bytes=" + start + "-" + end;
        var r =
            s3.uploadPartCopy(
                b -> b.sourceBucket(bucket).sourceKey(src.key()).destinationBucket(destBucket)
                    .destinationKey(targetKey).uploadId(uploadId).partNumber(n)
                    .copySourceRange(range).copySourceIfMatch(quote(src.etag())));
        parts.add(CompletedPart.builder().partNumber(n).eTag(r.copyPartResult().eTag()).build());
      }
      complete(destBucket, targetKey, uploadId, parts, size);
    } catch (RuntimeException e) {
      try {
        s3.abortMultipartUpload(b -> b.bucket(destBucket).key(targetKey).uploadId(uploadId));
      } catch (RuntimeException abortFailure) {
        e.addSuppressed(abortFailure);
      }
      if (e instanceof SdkException se) {
        throw map("multipart copy", targetKey, se);
      }
      throw e;
    }
  }

  @Override
  public void delete(String key) {
    checkKey(key);
    try {
      s3.deleteObject(b -> b.bucket(bucket).key(key));
    } catch (NoSuchKeyException e) {
      // Already gone: deleting is idempotent.
    } catch (SdkException e) {
      throw map("DeleteObject", key, e);
    }
  }

  @Override
  public List<String> deleteAll(Collection<String> keys) {
    List<String> failed = new ArrayList<>();
    List<ObjectIdentifier> batch = new ArrayList<>(DELETE_BATCH);
    Iterator<String> it = keys.iterator();
    while (it.hasNext()) {
      String k = it.next();
      checkKey(k);
      batch.add(ObjectIdentifier.builder().key(k).build());
      if (batch.size() == DELETE_BATCH || !it.hasNext()) {
        List<ObjectIdentifier> ids = List.copyOf(batch);
        try {
          DeleteObjectsResponse r =
              s3.deleteObjects(b -> b.bucket(bucket).delete(d -> d.objects(ids).quiet(true)));
          r.errors().forEach(e -> failed.add(e.key()));
        } catch (SdkException e) {
          throw map("DeleteObjects", null, e);
        }
        batch.clear();
      }
    }
    return failed;
  }

  @Override
  public void close() {
    partUploads.shutdownNow();
    s3.close();
  }

  @Override
  public String toString() {
    return "S3ObjectStore[" + options + "]";
  }

  // ---------------------------------------------------------------- helpers

  private ObjectStoreException map(String operation, String key, SdkException e) {
    if (e instanceof NoSuchBucketException
        || (e instanceof S3Exception nb && nb.awsErrorDetails() != null
            && "NoSuchBucket".equals(nb.awsErrorDetails().errorCode()))) {
      return new ObjectStoreException(
          operation + " failed: NoSuchBucket: the bucket does not exist at "
              + (options.endpoint() == null ? "the default AWS endpoint" : options.endpoint())
              + "; check the bucket name (BACKUP_R2_BUCKET) and the endpoint",
          bucket, key, 404, false, e);
    }
    if (e instanceof NoSuchKeyException
        || (e instanceof S3Exception s && s.statusCode() == 404 && !isNoSuchUpload(s))) {
      return new ObjectNotFoundException(bucket, key, e);
    }
    if (e instanceof S3Exception s) {
      int status = s.statusCode();
      String code = s.awsErrorDetails() == null ? null : s.awsErrorDetails().errorCode();
      String text = s.awsErrorDetails() == null ? null : s.awsErrorDetails().errorMessage();
      if ("NoSuchUpload".equals(code)) {
        // The multipart upload is gone (aborted, expired, or completed by a retried request whose
        // object then did not match): not a missing object; uploading again is the remedy.
        return new ObjectStoreException(
            operation + " failed: NoSuchUpload: the multipart upload no longer exists and no object "
                + "matching its parts is there; upload again",
            bucket, key, status, true, e);
      }
      boolean retryable = status >= 500 || status == 429 || status == 408 || "SlowDown".equals(code);
      String hint = "";
      if (status == 403) {
        hint = "; check the access keys and the endpoint (R2 jurisdiction buckets have their own host)";
      } else if (status == 412) {
        hint = "; the object changed while it was being read or copied";
      }
      return new ObjectStoreException(
          operation + " failed: " + (code == null ? "" : code + " ") + (text == null ? "" : text)
              + hint,
          bucket, key, status, retryable, e);
    }
    boolean retryable =
        e instanceof SdkClientException
            && !String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("credentials");
    return new ObjectStoreException(
        operation + " failed: " + e.getClass().getSimpleName() + ": " + e.getMessage(),
        bucket, key, 0, retryable, e);
  }

  private static void checkKey(String key) {
    if (key == null || key.isEmpty()) {
      throw new IllegalArgumentException("object key must not be empty");
    }
    if (key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
      throw new IllegalArgumentException("object key longer than 1024 bytes");
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String unquote(String etag) {
    if (etag == null) {
      return null;
    }
    String e = etag.trim();
    return e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"") ? e.substring(1, e.length() - 1) : e;
  }

  private static String quote(String etag) {
    return etag == null ? null : "\"" + etag + "\"";
  }
}
