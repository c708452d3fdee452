/**
 * `mb_icon` in the real sandbox: the app's worker asks the bridge's main thread for an icon by
 * name and gets the frame showing now as [width, height, RGBA...], or nothing for a name that is
 * unknown, too long, or when the bridge gave the sandbox no icons.
 */
import type { Icon } from '../../src/icons/icon';
import { command, useProbeSandbox } from '../helpers/sandbox/harness';

const { startProbe } = useProbeSandbox();

function solid(name: string, width: number, height: number, rgba: number[]): Icon {
  const pixels = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) pixels.set(rgba, i * 4);
  return { name, width, height, frames: [{ rgba: pixels, delayMs: 0 }] };
}

describe('mb_icon', () => {
  it('hands over an icon by name: its size and pixels', async () => {
    const icons = new Map([['lamp', solid('lamp', 3, 2, [10, 20, 30, 255])]]);
    const t = await startProbe({ icons });
    expect(await command(t, 'icon|lamp')).toEqual(['icon 3x2 26 bytes, first 10,20,30,255']);
  });

  it('reads the icon source at each call: an upload replacing an icon shows at once', async () => {
    const icons = new Map([['lamp', solid('lamp', 3, 2, [10, 20, 30, 255])]]);
    const t = await startProbe({ icons });
    expect(await command(t, 'icon|lamp')).toEqual(['icon 3x2 26 bytes, first 10,20,30,255']);
    icons.set('lamp', solid('lamp', 32, 32, [1, 2, 3, 0]));
    expect(await command(t, 'icon|lamp')).toEqual([`icon 32x32 ${2 + 32 * 32 * 4} bytes, first 1,2,3,0`]);
    icons.delete('lamp');
    expect(await command(t, 'icon|lamp')).toEqual(['icon <none>']);
  });

  it('gives nothing for an unknown name, a name over 32 bytes, or without an icon source', async () => {
    const long = 'x'.repeat(33);
    const withIcons = await startProbe({ icons: new Map([[long, solid(long, 1, 1, [1, 1, 1, 255])]]) });
    expect(await command(withIcons, 'icon|nope', `icon|${long}`)).toEqual(['icon <none>', 'icon <none>']);
    const without = await startProbe();
    expect(await command(without, 'icon|sun')).toEqual(['icon <none>']);
  });
});
