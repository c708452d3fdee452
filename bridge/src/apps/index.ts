export { AppStore, type AppsChange, type InstallCheck, type StoredApp } from './app-store';
export type { WatchTiming } from './apps-watcher';
