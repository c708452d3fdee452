// Node-RED's test helper and core nodes ship no type declarations.
declare module 'node-red-node-test-helper';
declare module '@node-red/nodes/core/common/25-catch';
declare module '@node-red/nodes/core/common/25-status';
declare module '@node-red/nodes/core/common/20-inject';
