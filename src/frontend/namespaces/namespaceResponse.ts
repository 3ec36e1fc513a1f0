/**
 * The `DescribeNamespaceResponse` shape of a namespace, shared by DescribeNamespace and ListNamespaces.
 */
import type { ProtoObject } from '../proto/protoCodec.js';
import type { NamespaceRecord } from './namespaceRegistry.js';

/**
 * `{namespaceInfo{name, state, description, id}, config{workflowExecutionRetentionTtl}, isGlobalNamespace}`.
 *
 * `namespaceInfo.capabilities` stays unset on purpose (TEMPORAL-API.md §2): each of its flags switches on extra
 * worker behaviour (worker heartbeats, poller autoscaling, paginated WFT completion, …) that Cairn does not serve.
 * `limits` stays unset too, so the SDK keeps its default payload limits.
 */
export function describeNamespaceResponse(record: NamespaceRecord): ProtoObject {
  return {
    namespaceInfo: {
      name: record.name,
      state: 'NAMESPACE_STATE_REGISTERED',
      description: record.description,
      id: record.id,
    },
    config: {
      workflowExecutionRetentionTtl: { seconds: String(record.retentionSeconds) },
    },
    isGlobalNamespace: false,
  };
}
