export * from './button-classifier';
export * from './commands';
export * from './display';
export * from './json-error';
export * from './topics';
export * from './payloads';
export * from './result';
export * from './validate';
