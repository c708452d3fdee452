export * from './schedule';
export * from './sun-times';
export * from './zoned-time';
