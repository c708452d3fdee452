/**
 * The part of Node-RED's node API these nodes use. Node-RED ships no types of its own, and this
 * subset is stable from 1.x through 5.x, which is what lets one build load in all of them.
 */
export interface NodeStatus {
  fill?: 'red' | 'green' | 'yellow' | 'blue' | 'grey';
  shape?: 'ring' | 'dot';
  text?: string;
}

export interface NodeMessage {
  _msgid?: string;
  topic?: unknown;
  payload?: unknown;
  [key: string]: unknown;
}

export type SendFunction = (msg: NodeMessage | (NodeMessage | null)[]) => void;
export type DoneFunction = (err?: Error) => void;

export interface Node {
  id: string;
  type: string;
  name?: string;
  status(status: NodeStatus): void;
  send(msg: NodeMessage | (NodeMessage | null)[]): void;
  log(text: string): void;
  warn(text: string): void;
  error(text: string | Error, msg?: NodeMessage): void;
  on(event: 'input', handler: (msg: NodeMessage, send: SendFunction, done: DoneFunction) => void): void;
  on(event: 'close', handler: (removed: boolean, done: () => void) => void): void;
}

/** What the editor stores for every node: its id, type, name and the properties of its form. */
export interface NodeDef {
  id: string;
  type: string;
  name?: string;
  [property: string]: unknown;
}

export interface CredentialsDef {
  [name: string]: { type: 'text' | 'password' };
}

export interface NodeAPI {
  nodes: {
    createNode(node: object, def: NodeDef): void;
    registerType<N extends Node>(type: string, nodeConstructor: (this: N, def: NodeDef) => void, options?: { credentials?: CredentialsDef }): void;
    getNode(id: string): unknown;
  };
}
