// Node-RED's test helper ships no type declarations.
declare module 'node-red-node-test-helper';
