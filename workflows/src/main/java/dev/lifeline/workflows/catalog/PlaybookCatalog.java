package dev.lifeline.workflows.catalog;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/** Every startable playbook, from every {@link PlaybookProvider} on the class path. */
public final class PlaybookCatalog {
  private final List<PlaybookDescriptor> playbooks;

  private PlaybookCatalog(List<PlaybookDescriptor> playbooks) {
    this.playbooks = List.copyOf(playbooks);
  }

  /** Loads the catalog from the class path. */
  public static PlaybookCatalog load() {
    List<PlaybookDescriptor> all = new ArrayList<>();
    for (PlaybookProvider p : ServiceLoader.load(PlaybookProvider.class)) {
      all.addAll(p.playbooks());
    }
    all.sort(Comparator.comparing(PlaybookDescriptor::name));
    return new PlaybookCatalog(all);
  }

  /** A catalog of exactly {@code playbooks}. */
  public static PlaybookCatalog of(List<PlaybookDescriptor> playbooks) {
    return new PlaybookCatalog(playbooks);
  }

  /** All playbooks, by name. */
  public List<PlaybookDescriptor> all() {
    return playbooks;
  }

  /** The playbook named {@code nameOrType} (short name, alias or workflow type). */
  public Optional<PlaybookDescriptor> find(String nameOrType) {
    return playbooks.stream().filter(p -> p.matches(nameOrType)).findFirst();
  }

  /** Whether {@code workflowType} is a Lifeline playbook. */
  public boolean isPlaybookType(String workflowType) {
    return playbooks.stream().anyMatch(p -> p.workflowType().equals(workflowType));
  }
}
