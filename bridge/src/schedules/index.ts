export * from './conditions';
export * from './schedule';
export * from './sun-times';
export * from './visibility';
export * from './zoned-time';
export * from './night-mode';
export * from './auto-brightness';
export * from './brightness-curve';
