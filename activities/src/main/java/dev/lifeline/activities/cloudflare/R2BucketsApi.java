package dev.lifeline.activities.cloudflare;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lifeline.activities.cloudflare.ApiTransport.Call;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import okhttp3.HttpUrl;

/**
 * R2 bucket management over the REST API (objects go through the S3 API, see
 * {@code dev.lifeline.activities.s3}). Read-only here; all calls are idempotent.
 */
public final class R2BucketsApi {
  private final ApiTransport t;

  R2BucketsApi(ApiTransport transport) {
    this.t = transport;
  }

  /** All buckets, lazily, following {@code result_info.cursor}. */
  public Stream<R2Bucket> listBuckets(String nameContains) {
    return listBuckets(nameContains, 1000);
  }

  /** As {@link #listBuckets(String)} with an explicit page size (1..1000). */
  public Stream<R2Bucket> listBuckets(String nameContains, int perPage) {
    return Paginator.stream(
        cursor -> {
          HttpUrl.Builder url =
              t.url("r2", "buckets").addQueryParameter("per_page", Integer.toString(perPage));
          if (nameContains != null && !nameContains.isBlank()) {
            url.addQueryParameter("name_contains", nameContains);
          }
          if (cursor != null) {
            url.addQueryParameter("cursor", cursor);
          }
          ApiTransport.Envelope env = t.envelope(Call.get(url.build()));
          List<R2Bucket> items = new ArrayList<>();
          JsonNode list = env.result() == null ? null : env.result().get("buckets");
          if (list != null && list.isArray()) {
            for (JsonNode n : list) {
              items.add(t.convert(n, R2Bucket.class));
            }
          }
          ResultInfo info = env.resultInfo();
          String next = info != null && info.hasNextCursor() && !items.isEmpty() ? info.cursor() : null;
          return new Paginator.Page<>(items, next);
        });
  }

  /** One bucket by name. */
  public R2Bucket getBucket(String name) {
    D1Api.requireText(name, "bucket name");
    return t.result(Call.get(t.url("r2", "buckets", name).build()), R2Bucket.class);
  }
}
