/**
 * The protobufjs reflection root of Temporal's API, taken from the pinned `@temporalio/proto` package
 * (TEMPORAL-API.md §1: take the protos from the pinned SDK).
 *
 * Why the JSON bundle and not `.proto` files through proto-loader: `@temporalio/proto` ships no `.proto` files, only a
 * protobufjs JSON root (`protos/json-module.js`), and it is a runtime dependency already needed for `Any` bodies. Using
 * it directly avoids depending on `@temporalio/core-bridge`'s file layout (a dev dependency of the worker) and parsing
 * 119 `.proto` files at start-up. docs/frontend.md records the decision.
 */
import { createRequire } from 'node:module';
import protobuf from 'protobufjs';

const require = createRequire(import.meta.url);

let privateRoot: protobuf.Root | undefined;

/**
 * Returns Cairn's own copy of Temporal's protobufjs root, built once per process.
 *
 * The bundle registers itself in protobufjs' global `roots.__temporal`, which the official SDK also uses when it runs
 * in the same process (tests, the in-process dev node). Cairn copies it into a private root so that nothing it does
 * (resolving, looking up) can change the SDK's view, and vice versa.
 */
export function temporalProtoRoot(): protobuf.Root {
  if (privateRoot === undefined) {
    const bundled = require('@temporalio/proto/protos/json-module.js') as protobuf.Root;
    const copy = protobuf.Root.fromJSON(bundled.toJSON());
    copy.resolveAll();
    privateRoot = copy;
  }
  return privateRoot;
}
