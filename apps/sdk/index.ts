// Package entry for asc, which resolves "@megabit/sdk" to this file.
export * from './assembly/index';
