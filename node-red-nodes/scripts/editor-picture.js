/**
 * Renders the README's pictures: Node-RED's editor in headless Chromium with this package (built
 * into dist/) and the example flow loaded. Usage:
 *   node scripts/editor-picture.js [broker-url]
 * With the broker of a running bridge, the nodes show their live status.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const net = require('node:net');
const { chromium } = require('playwright-core');

const root = path.join(__dirname, '..');
const images = path.join(root, 'images');
const broker = process.argv[2] ?? 'mqtt://localhost:1883';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function userDirWithPackage() {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'megabit-nr-picture-'));
  fs.mkdirSync(path.join(userDir, 'node_modules'));
  fs.symlinkSync(root, path.join(userDir, 'node_modules', 'node-red-contrib-megabit'));
  const flow = JSON.parse(fs.readFileSync(path.join(root, 'examples', 'megabit-basics.json'), 'utf8'));
  for (const node of flow) if (node.type === 'megabit-device') node.broker = broker;
  fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flow));
  fs.writeFileSync(
    path.join(userDir, 'settings.js'),
    `module.exports = ${JSON.stringify({
      flowFile: 'flows.json',
      credentialSecret: false,
      uiHost: '127.0.0.1',
      editorTheme: { tours: false, projects: { enabled: false } },
      telemetry: { enabled: false },
      diagnostics: { enabled: false },
    })};\n`,
  );
  return userDir;
}

async function startNodeRed(userDir, port) {
  const red = require.resolve('node-red/red.js');
  const child = spawn(process.execPath, [red, '--userDir', userDir, '--port', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const deadline = Date.now() + 30_000;
  while (!output.includes('Started flows')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`Node-RED did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return child;
}

async function main() {
  const userDir = userDirWithPackage();
  const port = await freePort();
  const nodeRed = await startNodeRed(userDir, port);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--disable-dev-shm-usage'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForSelector('#red-ui-workspace-chart .red-ui-flow-node');
    // Show only this package's palette category next to the flow.
    await page.locator('#red-ui-palette-search input').pressSequentially('megabit');
    // Let the status of the nodes arrive over the editor's websocket.
    await page.waitForTimeout(2000);
    fs.mkdirSync(images, { recursive: true });
    await page.screenshot({ path: path.join(images, 'example-flow.png') });
    await page.dblclick('#red-ui-workspace-chart .red-ui-flow-node-group:has(text:text-is("notify"))');
    await page.waitForSelector('#node-input-color');
    await page.click('#red-ui-tab-help-link-button').catch(() => undefined);
    await page.mouse.move(700, 600);
    await page.waitForTimeout(800);
    await page.screenshot({ path: path.join(images, 'notify-node.png') });
    await page.click('#node-dialog-cancel');
    // The screen form is longer than the others: a taller window shows all of it without scrolling.
    await page.setViewportSize({ width: 1280, height: 1480 });
    await page.dblclick('#red-ui-workspace-chart .red-ui-flow-node-group:has(text:text-is("power screen"))');
    await page.waitForSelector('#node-input-screenId');
    await page.mouse.move(700, 600);
    await page.waitForTimeout(800);
    await page.screenshot({ path: path.join(images, 'screen-node.png') });
  } finally {
    await browser.close();
    nodeRed.kill('SIGTERM');
    fs.rmSync(userDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
