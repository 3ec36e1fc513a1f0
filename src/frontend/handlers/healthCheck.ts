/**
 * grpc.health.v1.Health/Check: SERVING for the whole server (`service` empty) and for each served service; NOT_FOUND
 * for any other name, as the gRPC health-checking protocol specifies.
 */
import { NotFoundError } from '../errors.js';
import type { ProtoObject } from '../proto/protoCodec.js';
import { frontendServiceBindings } from '../proto/serviceDefinitions.js';
import type { CallContext } from './handlerTypes.js';

/** `{status: 'SERVING'}` or NOT_FOUND naming the unknown service. */
export async function healthCheck(request: ProtoObject, _call: CallContext): Promise<ProtoObject> {
  const service = typeof request.service === 'string' ? request.service : '';
  const served = frontendServiceBindings().some((binding) => binding.serviceName === service);
  if (service !== '' && !served) {
    throw new NotFoundError(`unknown service ${service}: ask for '' or one of the served services`);
  }
  return { status: 'SERVING' };
}
