/** The problems settingsFrom reports for a settings document, as the settings tests check them. */
import { SettingsError, settingsFrom } from '../../src/config';

/** Empty when the document loads; any error but a SettingsError is thrown on. */
export function settingsProblems(doc: unknown, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    settingsFrom(doc, 'test.yaml', env);
  } catch (e) {
    if (e instanceof SettingsError) return e.problems;
    throw e;
  }
  return [];
}
