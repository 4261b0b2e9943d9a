package dev.lifeline.activities.cloudflare;

/**
 * A finished D1 export that was downloaded.
 *
 * @param filename the dump's file name as D1 named it ({@code <name>.sql})
 * @param atBookmark the Time Travel bookmark the dump reflects
 * @param bytes size of the downloaded dump
 */
public record D1ExportResult(String filename, String atBookmark, long bytes) {}
