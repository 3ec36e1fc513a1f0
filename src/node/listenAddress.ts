/**
 * `host:port` listen addresses of the node's flags (`--listen`, `--http-listen`). IPv6 hosts are written in
 * brackets (`[::1]:7233`); port 0 asks the OS for a free port, which the node then logs.
 */
import { ListenAddressError } from './errors.js';

/** Where a server binds. */
export interface ListenAddress {
  /** A host name or IP address, IPv6 without brackets. */
  readonly host: string;
  /** 0..65535; 0 picks a free port. */
  readonly port: number;
}

const portMax = 65_535;

/** Parses `text` as `host:port`; throws {@link ListenAddressError} naming `flag` when it is not one. */
export function parseListenAddress(text: string, flag: string): ListenAddress {
  const expected = `expected host:port, e.g. 127.0.0.1:7233 or [::1]:7233`;
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  if (match === null) throw new ListenAddressError(`${flag}: '${text}' is not an address: ${expected}`);
  const host = match[1] ?? match[2] ?? '';
  const port = Number(match[3]);
  if (port > portMax) throw new ListenAddressError(`${flag}: port ${port} is out of range: use 0..${portMax}`);
  return { host, port };
}

/** `host:port`, with IPv6 hosts in brackets: the form the flags take and the logs print. */
export function formatListenAddress(address: ListenAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
