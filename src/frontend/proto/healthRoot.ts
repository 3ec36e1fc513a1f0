/**
 * `grpc.health.v1`, the standard gRPC health-checking protocol. `@temporalio/proto` does not bundle it, so its two
 * messages and its service are declared here in protobufjs JSON form, copied from the public `health.proto`
 * (grpc/grpc-proto, Apache-2.0): field names, numbers and enum values are the wire contract.
 */
import protobuf from 'protobufjs';

/** protobufjs JSON of `grpc/health/v1/health.proto`. */
const healthProtoJson: protobuf.INamespace = {
  nested: {
    grpc: {
      nested: {
        health: {
          nested: {
            v1: {
              nested: {
                HealthCheckRequest: { fields: { service: { type: 'string', id: 1 } } },
                HealthCheckResponse: {
                  fields: { status: { type: 'ServingStatus', id: 1 } },
                  nested: {
                    ServingStatus: { values: { UNKNOWN: 0, SERVING: 1, NOT_SERVING: 2, SERVICE_UNKNOWN: 3 } },
                  },
                },
                Health: {
                  methods: {
                    Check: { requestType: 'HealthCheckRequest', responseType: 'HealthCheckResponse' },
                    Watch: {
                      requestType: 'HealthCheckRequest',
                      responseType: 'HealthCheckResponse',
                      responseStream: true,
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
};

let healthRoot: protobuf.Root | undefined;

/** Returns the protobufjs root holding `grpc.health.v1`, built once per process. */
export function healthProtoRoot(): protobuf.Root {
  if (healthRoot === undefined) {
    const root = protobuf.Root.fromJSON(healthProtoJson);
    root.resolveAll();
    healthRoot = root;
  }
  return healthRoot;
}
