package dev.lifeline.workflows.catalog;

import java.util.List;

/**
 * Contributes playbooks to the {@link PlaybookCatalog}, found with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.lifeline.workflows.catalog.PlaybookProvider}).
 */
public interface PlaybookProvider {
  /** The playbooks this provider contributes. */
  List<PlaybookDescriptor> playbooks();
}
