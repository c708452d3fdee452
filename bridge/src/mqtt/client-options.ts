/** The login and TLS part of an mqtt.js client's options, from the `mqtt` settings. */
import { readFileSync } from 'node:fs';
import type { IClientOptions } from 'mqtt';
import type { Settings } from '../config';

export type LoginOptions = Pick<IClientOptions, 'username' | 'password' | 'rejectUnauthorized' | 'ca' | 'cert' | 'key'>;

export function loginOptions(mqtt: Settings['mqtt']): LoginOptions {
  return {
    username: mqtt.username,
    password: mqtt.password,
    rejectUnauthorized: mqtt.reject_unauthorized,
    ca: mqtt.ca ? readFileSync(mqtt.ca) : undefined,
    cert: mqtt.cert ? readFileSync(mqtt.cert) : undefined,
    key: mqtt.key ? readFileSync(mqtt.key) : undefined,
  };
}
