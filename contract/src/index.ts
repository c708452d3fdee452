export * from './button-classifier';
export * from './commands';
export * from './display';
export * from './topics';
export * from './payloads';
export * from './result';
export * from './validate';
