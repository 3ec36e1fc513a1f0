/**
 * An in-memory {@link NamespaceRegistry}, holding Cairn's `default` namespace unless told otherwise.
 */
import type { NamespaceRecord, NamespaceRegistry } from './namespaceRegistry.js';

/** Retention of Cairn's `default` namespace: 1 day (TEMPORAL-API.md §10). */
export const defaultNamespaceRetentionSeconds = 24 * 60 * 60;

/**
 * Id of the `default` namespace. Fixed rather than random so that every node of a cluster (and every restart) reports
 * the same id without coordination; namespaces created later will get ids from the replicated registry.
 */
export const defaultNamespaceId = '00000000-0000-4000-8000-000000000001';

/** Cairn's `default` namespace. */
export const defaultNamespace: NamespaceRecord = {
  name: 'default',
  id: defaultNamespaceId,
  description: 'The default namespace',
  retentionSeconds: defaultNamespaceRetentionSeconds,
};

/** Namespaces held in a map; built once, read-only afterwards. */
export class InMemoryNamespaceRegistry implements NamespaceRegistry {
  private readonly recordsByName = new Map<string, NamespaceRecord>();
  private readonly recordsById = new Map<string, NamespaceRecord>();
  private readonly sorted: readonly NamespaceRecord[];

  /** Throws if two records share a name or an id (a configuration mistake). */
  constructor(records: readonly NamespaceRecord[] = [defaultNamespace]) {
    for (const record of records) {
      if (this.recordsByName.has(record.name) || this.recordsById.has(record.id)) {
        throw new Error(`namespace ${record.name} (id ${record.id}) is registered twice: names and ids must be unique`);
      }
      this.recordsByName.set(record.name, record);
      this.recordsById.set(record.id, record);
    }
    this.sorted = [...records].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  byName(name: string): NamespaceRecord | undefined {
    return this.recordsByName.get(name);
  }

  byId(id: string): NamespaceRecord | undefined {
    return this.recordsById.get(id);
  }

  list(): readonly NamespaceRecord[] {
    return this.sorted;
  }
}
