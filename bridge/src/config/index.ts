export { SETTINGS_SCHEMA, type Settings } from './schema';
export { loadSettings, settingsFrom, environmentKeys, SettingsError } from './settings';
export { isLoopbackHost, loginsConfigured, resolveListenHosts } from './exposure';
