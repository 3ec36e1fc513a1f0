/**
 * The namespaces a frontend knows. The interface is what handlers use; today its only implementation is in memory
 * ({@link InMemoryNamespaceRegistry}), later a replicated one (ARCHITECTURE.md) will take its place.
 */

/** One registered namespace. */
export interface NamespaceRecord {
  /** Unique name, the `namespace` field of every request. */
  readonly name: string;
  /** Stable id (a UUID), returned as `namespaceInfo.id`. */
  readonly id: string;
  readonly description: string;
  /** How long closed runs are kept, in seconds (`config.workflowExecutionRetentionTtl`). */
  readonly retentionSeconds: number;
}

/** Read access to the registered namespaces. Lookups are synchronous: the registry is a local replica. */
export interface NamespaceRegistry {
  /** The namespace called `name`, or undefined. */
  byName(name: string): NamespaceRecord | undefined;
  /** The namespace whose id is `id`, or undefined. */
  byId(id: string): NamespaceRecord | undefined;
  /** Every namespace, sorted by name (the order ListNamespaces pages through). */
  list(): readonly NamespaceRecord[];
}
