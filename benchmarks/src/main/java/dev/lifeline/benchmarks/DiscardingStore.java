package dev.lifeline.benchmarks;

import dev.lifeline.activities.s3.ObjectInfo;
import dev.lifeline.activities.s3.ObjectStore;
import dev.lifeline.activities.s3.ObjectSummary;
import dev.lifeline.activities.s3.PutOptions;
import dev.lifeline.activities.s3.UploadResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * An {@link ObjectStore} that reads and hashes uploads like a real one and keeps nothing: measures
 * the backup pipeline without the cost of an S3 server sharing the machine (the sandbox's runs in
 * the benchmark's own JVM). Only {@link #upload} works.
 */
final class DiscardingStore implements ObjectStore {
  @Override
  public String bucket() {
    return "discard";
  }

  @Override
  public UploadResult upload(String key, InputStream content, PutOptions options) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      byte[] part = new byte[8 << 20];
      long size = 0;
      int n;
      while ((n = content.readNBytes(part, 0, part.length)) > 0) {
        sha.update(part, 0, n);
        size += n;
      }
      return new UploadResult(key, size, HexFormat.of().formatHex(sha.digest()), "discarded");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public InputStream openStream(String key, long offset) {
    throw new UnsupportedOperationException("discarding store");
  }

  @Override
  public InputStream openRange(String key, long offset, long length) {
    throw new UnsupportedOperationException("discarding store");
  }

  @Override
  public long downloadTo(String key, Path target) {
    throw new UnsupportedOperationException("discarding store");
  }

  @Override
  public Optional<ObjectInfo> head(String key) {
    return Optional.empty();
  }

  @Override
  public Stream<ObjectSummary> list(String prefix) {
    return Stream.empty();
  }

  @Override
  public ObjectInfo copy(String sourceKey, String targetBucket, String targetKey) {
    throw new UnsupportedOperationException("discarding store");
  }

  @Override
  public void delete(String key) {}

  @Override
  public List<String> deleteAll(Collection<String> keys) {
    return List.of();
  }

  @Override
  public void close() {}
}
