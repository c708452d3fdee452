/**
 * The package's example flows drive only apps that ship: every app id a flow names (an app or
 * data node's app, or an inject's payload wired into an app node that takes an id) is one of the
 * example apps in apps/examples/, which a new bridge installs on its first run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../bridge/test/helpers/bridge-process';

type FlowNode = { id: string; type: string; app?: unknown; command?: unknown; payload?: unknown; payloadType?: unknown; wires?: string[][] };

const EXAMPLES = join(REPO_ROOT, 'node-red-nodes', 'examples');
const APPS = join(REPO_ROOT, 'apps', 'examples');
/** The app node's commands that take an app id from msg.payload (megabit-app.ts). */
const TAKES_ID = ['switch', 'enable', 'disable', 'remove', 'schedule', 'show_when', 'pin_when'];

function shippedApps(): string[] {
  return readdirSync(APPS, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => (JSON.parse(readFileSync(join(APPS, d.name, 'manifest.json'), 'utf8')) as { id: string }).id);
}

/** An inject's payload as the app id it carries, if it is one. */
function injectedId(node: FlowNode): string | undefined {
  if (node.payloadType === 'str' && typeof node.payload === 'string' && node.payload !== '') return node.payload;
  if (node.payloadType === 'json' && typeof node.payload === 'string') {
    const value = JSON.parse(node.payload) as unknown;
    if (typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string') return (value as { id: string }).id;
  }
  return undefined;
}

/** Every app id the flow names, with where it is named. */
function appIdsNamed(flow: FlowNode[]): Array<{ id: string; by: string }> {
  const byId = new Map(flow.map((n) => [n.id, n]));
  const named: Array<{ id: string; by: string }> = [];
  for (const node of flow) {
    if ((node.type === 'megabit app' || node.type === 'megabit data') && typeof node.app === 'string' && node.app !== '') {
      named.push({ id: node.app, by: `${node.type} "${node.id}"` });
    }
    if (node.type !== 'inject') continue;
    const targets = (node.wires ?? []).flat().map((id) => byId.get(id));
    const feedsAppId = targets.some((t) => t?.type === 'megabit app' && (t.app === '' || t.app === undefined) && TAKES_ID.includes(String(t.command)));
    const id = injectedId(node);
    if (feedsAppId && id !== undefined) named.push({ id, by: `inject "${node.id}"` });
  }
  return named;
}

const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.json'));

it('there are example flows, and they name apps', () => {
  expect(files.length).toBeGreaterThan(0);
  const all = files.flatMap((f) => appIdsNamed(JSON.parse(readFileSync(join(EXAMPLES, f), 'utf8')) as FlowNode[]));
  // The basics flow shows an app by an inject and feeds one with data: both are found.
  expect(all.map((n) => n.by)).toEqual(expect.arrayContaining([expect.stringMatching(/^inject /), expect.stringMatching(/^megabit data /)]));
});

it.each(files)('%s names only apps that ship', (file) => {
  const shipped = shippedApps();
  const named = appIdsNamed(JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')) as FlowNode[]);
  expect(named.filter((n) => !shipped.includes(n.id))).toEqual([]);
});

it('finds an app that does not ship', () => {
  const flow: FlowNode[] = [
    { id: 'i', type: 'inject', payload: 'weather', payloadType: 'str', wires: [['a']] },
    { id: 'a', type: 'megabit app', command: 'switch', app: '' },
    { id: 'd', type: 'megabit data', app: 'stocks' },
  ];
  expect(appIdsNamed(flow).filter((n) => !shippedApps().includes(n.id))).toEqual([
    { id: 'weather', by: 'inject "i"' },
    { id: 'stocks', by: 'megabit data "d"' },
  ]);
});
