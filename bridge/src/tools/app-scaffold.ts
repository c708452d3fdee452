/**
 * `megabit app new <name>`: a new app folder with a working app (a greeting that counts button
 * presses in its KV store), its manifest, a build script and a test, ready for `npm run build`.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { isValidId } from '@megabit/contract';

/** The SDK beside this bridge in a source checkout. */
export function sdkDir(): string {
  const dir = resolve(__dirname, '..', '..', '..', 'apps', 'sdk');
  if (!existsSync(join(dir, 'bin', 'build-app.js'))) {
    throw new Error(`the app SDK is not beside this bridge (looked in ${dir}); scaffold apps from a Megabit source checkout`);
  }
  return dir;
}

function title(id: string): string {
  return id
    .split(/[-_]/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}

const SOURCE = (name: string): string => `// ${name}: greets, and counts button presses in the KV store (kept across restarts).
import { App, ButtonEvent, Colors, FONT_3X5, config, kv, register, screen } from "@megabit/sdk";

class ${name.replace(/\s/g, '')} extends App {
  presses: i32 = 0;

  setup(): void {
    this.presses = <i32>kv.getNumber("presses", 0);
  }

  onButton(event: ButtonEvent): void {
    this.presses++;
    kv.setNumber("presses", this.presses);
  }

  run(): void {
    screen.clear();
    screen.textCentered(config.getString("greeting", "Hello!"), 6, config.getColor("color", Colors.CYAN));
    screen.textCentered("presses: " + this.presses.toString(), 22, Colors.WHITE, FONT_3X5);
  }
}

register(new ${name.replace(/\s/g, '')}());
`;

const TEST = (id: string, sdkFromTest: string): string => `import { join } from 'node:path';
import { startTestApp } from '${sdkFromTest}/test-support/apps';
import { picture } from '${sdkFromTest}/test-support/frame';
import { centeredPicture, rows } from '${sdkFromTest}/test-support/text-oracle';

describe('${id}', () => {
  it('draws its greeting and the presses counted in its KV store', async () => {
    const app = await startTestApp(join(__dirname, '..'), { config: { greeting: 'Hi' } });
    try {
      const frame = await app.frame();
      expect(rows(picture(frame), 6, 13)).toEqual(rows(centeredPicture('Hi', 6, { font: 'small' }), 6, 13));
      expect(rows(picture(frame), 22, 5)).toEqual(rows(centeredPicture('presses: 0', 22, { font: '3x5' }), 22, 5));
    } finally {
      await app.close();
    }
  });
});
`;

/** `node "<sdk>/bin/<script>" .` with the SDK path relative to the app (quoted: it may hold spaces), as an npm script. */
function sdkCommand(appDir: string, sdk: string, script: string): string {
  return `node ${JSON.stringify(join(relative(appDir, sdk), 'bin', script))} .`;
}

/** Creates `<parent>/<id>/`; returns the folder. */
export function scaffoldApp(id: string, parent: string): string {
  if (!isValidId(id)) throw new Error(`"${id}" is not a valid app id: use 1-64 characters of a-z, 0-9, "_" and "-"`);
  const dir = resolve(parent, id);
  if (existsSync(dir)) throw new Error(`${dir} already exists`);
  const sdk = sdkDir();
  const name = title(id);
  const manifest = {
    id,
    name,
    version: '0.1.0',
    bin: `${id}.wasm`,
    refresh_period_ms: 500,
    permissions: { kv_bytes: 1024 },
    config: {
      type: 'object',
      properties: {
        greeting: { type: 'string', default: 'Hello!', maxLength: 40 },
        color: { type: 'string', pattern: '^#[0-9a-fA-F]{6}$', default: '#00ffff' },
      },
      additionalProperties: false,
    },
  };
  const pkg = {
    name: `megabit-app-${id}`,
    version: '0.1.0',
    private: true,
    description: `Megabit app: ${name}`,
    scripts: { build: sdkCommand(dir, sdk, 'build-app.js'), test: sdkCommand(dir, sdk, 'test-app.js') },
  };
  mkdirSync(join(dir, 'assembly'), { recursive: true });
  mkdirSync(join(dir, 'test'), { recursive: true });
  writeFileSync(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  writeFileSync(join(dir, 'assembly', 'index.ts'), SOURCE(name));
  writeFileSync(join(dir, 'test', `${id}.test.ts`), TEST(id, relative(join(dir, 'test'), sdk)));
  writeFileSync(join(dir, '.gitignore'), 'build/\n');
  return dir;
}
