/** Which Node release scripts/node-release.js picks from the registry's list of versions. */
const { newestOfMajor } = require('../../../scripts/node-release.js') as { newestOfMajor(versions: string[], major: number): string | undefined };

describe('newestOfMajor', () => {
  it('compares versions as numbers, not as text', () => {
    expect(newestOfMajor(['24.9.0', '24.10.0', '24.2.11', '22.23.5', '26.1.0'], 24)).toBe('24.10.0');
    expect(newestOfMajor(['22.9.1', '22.10.0', '22.10.2'], 22)).toBe('22.10.2');
  });

  it('skips versions that are not plain releases', () => {
    expect(newestOfMajor(['24.1.0', '24.2.0-rc.1', '24.1.1-nightly'], 24)).toBe('24.1.0');
  });

  it('is undefined for a major the registry does not have', () => {
    expect(newestOfMajor(['20.11.0', '22.1.0'], 24)).toBeUndefined();
  });
});
