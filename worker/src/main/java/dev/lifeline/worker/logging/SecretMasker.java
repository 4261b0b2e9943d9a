package dev.lifeline.worker.logging;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks secrets in text bound for logs: every value registered by the configuration (API tokens,
 * keys, passwords), bearer tokens in headers, and {@code name=value} pairs whose name says secret
 * (token, api key, secret, password, encryption key). Checksums and plan hashes are left alone:
 * they are evidence, not secrets.
 */
public final class SecretMasker {
  /** What a masked value looks like. */
  public static final String MASK = "****";

  private static final int MIN_SECRET_LENGTH = 6;
  private static final Set<String> SECRETS = ConcurrentHashMap.newKeySet();
  private static final Pattern BEARER =
      Pattern.compile("(?i)(bearer\\s+)[A-Za-z0-9._~+/=-]{8,}");
  private static final Pattern NAMED =
      Pattern.compile(
          "(?i)((?:api[_-]?token|api[_-]?key|access[_-]?token|secret(?:[_-]?access)?[_-]?key|"
              + "secret|password|encryption[_-]?key|authorization|x-auth-key)\"?\\s*[=:]\\s*\"?"
              + "(?:bearer\\s+)?)"
              + "([^\\s\",;&]{4,})");

  private SecretMasker() {}

  /** Registers a secret value; from now on it is masked wherever it appears. */
  public static void register(String secret) {
    if (secret != null && secret.length() >= MIN_SECRET_LENGTH) {
      SECRETS.add(secret);
    }
  }

  /** Returns {@code text} with every secret masked. */
  public static String mask(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String out = text;
    for (String secret : SECRETS) {
      if (out.contains(secret)) {
        out = out.replace(secret, MASK);
      }
    }
    out = BEARER.matcher(out).replaceAll("$1" + Matcher.quoteReplacement(MASK));
    out = NAMED.matcher(out).replaceAll("$1" + Matcher.quoteReplacement(MASK));
    return out;
  }
}
