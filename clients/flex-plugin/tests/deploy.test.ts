/**
 * @jest-environment node
 */
/// <reference types="node" />
/*
 * What `twilio flex:plugins:deploy` (the Twilio CLI's @twilio-labs/plugin-flex 7.x, driving @twilio/flex-plugin-scripts
 * 7.x) checks on this folder before it uploads anything, checked here without a Twilio account. In deploy's order:
 *
 * 1. The CLI, before any step: the folder is a Flex plugin when its package.json lists `@twilio/flex-ui` (dependencies
 *    or devDependencies); deploy then requires the major version listed for `@twilio/flex-plugin-scripts` to be the
 *    CLI's builder version, 7, and stops ("incompatible version", exit 1) otherwise.
 * 2. `flex-plugin pre-script-check`, run by deploy before building: the installed Flex UI names the react and react-dom
 *    it needs, src/index has exactly one `loadPlugin(` call, a TypeScript plugin has typescript and a tsconfig.json,
 *    and the folder is registered in ~/.twilio-cli/flex/plugins.json.
 * 3. `flex-plugin build`: build/<name>.js and build/<name>.js.map, each under 10 MB.
 * 4. The upload: it stops without build/<name>.js, then uploads it and its map as /plugins/<name>/<version>/bundle.js
 *    and bundle.js.map (the bundle ends by naming that map); the version is package.json's, rewritten by the build.
 *
 * Account-side steps are out of reach here: the Plugins API's latest version of the plugin (the next one must be
 * greater), the plugin validation service (its failure does not stop a deploy), and the account's Flex UI version and
 * the React it pins (with no pins, Flex UI 2.x means React 17.0.2, checked below against what is installed).
 *
 * Read from twilio/flex-plugin-builder: packages/plugin-flex/src/sub-commands/flex-plugin.ts (the plugin folder and
 * builder version), packages/plugin-flex/src/commands/flex/plugins/deploy.ts, and
 * packages/flex-plugin-scripts/src/scripts/{pre-script-check,build,deploy}.ts.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import semver from '@twilio/flex-dev-utils/dist/semver';

const ROOT = join(__dirname, '..');
const FLEX_UI = '@twilio/flex-ui';
const SCRIPTS = '@twilio/flex-plugin-scripts';
const CLI_BUILDER_VERSION = 7;
const MAX_BUNDLE_BYTES = 10 * 1024 * 1024;

interface PackageJson {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const readJson = (...path: string[]): PackageJson => JSON.parse(readFileSync(join(...path), 'utf8'));
const pkg = readJson(ROOT, 'package.json');
const installed = (name: string): PackageJson => readJson(ROOT, 'node_modules', name, 'package.json');
const listed = (name: string): string | undefined => pkg.dependencies?.[name] ?? pkg.devDependencies?.[name];
const major = (range: string | undefined): number | undefined => semver.coerce(range ?? '')?.major;

/** Runs the plugin builder's own pre-script-check in `dir`, with a home holding the Twilio CLI's folder as
 * `twilio plugins:install @twilio-labs/plugin-flex` leaves it (the script compares the two versions). */
function preScriptCheck(dir: string) {
  const home = mkdtempSync(join(tmpdir(), 'flex-cli-home-'));
  try {
    const cli = join(home, '.twilio-cli');
    mkdirSync(cli, { recursive: true });
    writeFileSync(
      join(cli, 'package.json'),
      JSON.stringify({ private: true, dependencies: { '@twilio-labs/plugin-flex': installed(SCRIPTS).version } }),
    );
    const script = join(ROOT, 'node_modules', SCRIPTS, 'dist', 'scripts', 'pre-script-check.js');
    const run = spawnSync(process.execPath, [script, '--run-script'], {
      cwd: dir,
      env: { ...process.env, HOME: home },
      encoding: 'utf8',
      timeout: 60_000,
    });
    const pluginsJson = join(cli, 'flex', 'plugins.json');
    const registered = existsSync(pluginsJson) ? JSON.parse(readFileSync(pluginsJson, 'utf8')).plugins : [];
    return { status: run.status, output: `${run.stdout}${run.stderr}`, registered };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

describe('the Twilio CLI takes this folder for a Flex plugin', () => {
  it(`lists ${FLEX_UI} in package.json`, () => {
    expect(listed(FLEX_UI)).toBeDefined();
  });

  it(`lists ${SCRIPTS} at the CLI's builder version (${CLI_BUILDER_VERSION}), and has it installed`, () => {
    expect(major(listed(SCRIPTS))).toBe(CLI_BUILDER_VERSION);
    expect(major(installed(SCRIPTS).version)).toBe(CLI_BUILDER_VERSION);
  });

  it('lists and has installed Flex UI 2.x, with the React 17.0.2 that Flex UI 2.x loads by default', () => {
    expect(major(listed(FLEX_UI))).toBe(2);
    expect(major(installed(FLEX_UI).version)).toBe(2);
    expect(installed('react').version).toBe('17.0.2');
    expect(installed('react-dom').version).toBe('17.0.2');
  });

  it('has a name (pre-script-check stops without one) fit for the upload path, and a version the build can bump', () => {
    expect(pkg.name).toMatch(/^[a-z0-9][a-z0-9-]*$/);
    expect(semver.valid(pkg.version)).toBe(pkg.version);
  });
});

describe("the plugin builder's pre-script-check", () => {
  it('passes on this folder and registers it with the CLI', () => {
    const { status, output, registered } = preScriptCheck(ROOT);
    expect({ status, output }).toEqual({ status: 0, output: '' });
    expect(registered).toEqual([{ name: pkg.name, dir: ROOT }]);
  });

  it('finds what it checks: one loadPlugin call in src/index.ts, tsconfig.json, typescript, the React Flex UI needs', () => {
    const index = readFileSync(join(ROOT, 'src', 'index.ts'), 'utf8');
    expect(index.match(/\.loadPlugin\(/g)).toHaveLength(1);
    expect(existsSync(join(ROOT, 'tsconfig.json'))).toBe(true);
    expect(existsSync(join(ROOT, 'node_modules', 'typescript', 'package.json'))).toBe(true);
    const flexUi = installed(FLEX_UI);
    for (const name of ['react', 'react-dom']) {
      const needed = flexUi.peerDependencies?.[name] ?? flexUi.dependencies?.[name];
      expect(semver.satisfies(installed(name).version, needed)).toBe(true);
    }
  });

  it('refuses a copy of this folder whose src/index.ts loads no plugin (the check does run)', () => {
    const copy = mkdtempSync(join(tmpdir(), 'plugin-copy-'));
    try {
      for (const file of ['package.json', 'tsconfig.json', 'src']) cpSync(join(ROOT, file), join(copy, file), { recursive: true });
      symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
      writeFileSync(join(copy, 'src', 'index.ts'), "import './CallerIdPlugin';\n");
      const { status, output } = preScriptCheck(copy);
      expect(status).toBe(1);
      expect(output).toMatch(/loadPlugin/);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

describe('the built bundle, as the upload takes it', () => {
  const bundle = join(ROOT, 'build', `${pkg.name}.js`);
  const sourceMap = `${bundle}.map`;
  const text = () => readFileSync(bundle, 'utf8');

  beforeAll(() => {
    if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run \`npm run build\` (or \`make plugin-build\`) first`);
  });

  it('is build/<name>.js with its source map, each under the builder limit of 10 MB', () => {
    expect(statSync(bundle).size).toBeLessThan(MAX_BUNDLE_BYTES);
    expect(statSync(sourceMap).size).toBeLessThan(MAX_BUNDLE_BYTES);
    expect(text().trimEnd().endsWith('//# sourceMappingURL=bundle.js.map')).toBe(true);
  });

  it("has a source map of the plugin's own sources (webpack.config.js mends the builder's empty one)", () => {
    const { sources } = JSON.parse(readFileSync(sourceMap, 'utf8')) as { sources: string[] };
    expect(sources).toEqual(expect.arrayContaining(['webpack:///./src/index.ts', 'webpack:///./src/outboundCall.ts']));
  });

  it("was built by the plugin builder from package.json: the plugin's name and version, Flex UI's version", () => {
    const baked = text();
    expect(baked).toContain('__webpack_require__');
    for (const value of [pkg.name, pkg.version, installed(FLEX_UI).version, installed(SCRIPTS).version]) {
      expect(baked).toMatch(new RegExp(`["']${value.replace(/\./g, '\\.')}["']`));
    }
  });

  it("leaves React to the page (the builder's externals make it the global React) and registers with Twilio.Flex", () => {
    const baked = text();
    expect(baked).not.toContain('__SECRET_INTERNALS_DO_NOT_USE_OR_YOU_WILL_BE_FIRED');
    expect(baked).toMatch(/exports=React\b/);
    expect(baked).toContain('Twilio.Flex.Plugins.init');
  });
});
