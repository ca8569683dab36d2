// Builds build/plugin-caller-id.js: one IIFE that Flex's plugin loader (or a page with the same globals) runs.
// React, ReactDOM and Flex itself are not bundled: Flex provides them as globals (React, ReactDOM, Twilio.Flex),
// as the Flex plugin builder's webpack externals do. The __FPB_* constants are the ones @twilio/flex-plugin reads
// (the plugin builder defines them too).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const version = (name) => JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')).version;

const GLOBALS = {
  react: 'window.React',
  'react-dom': 'window.ReactDOM',
  '@twilio/flex-ui': 'window.Twilio.Flex',
};

const providedByFlex = {
  name: 'provided-by-flex',
  setup(build) {
    const filter = new RegExp(`^(${Object.keys(GLOBALS).map((n) => n.replace(/[/]/g, '\\/')).join('|')})$`);
    build.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'flex-global' }));
    build.onLoad({ filter: /.*/, namespace: 'flex-global' }, (args) => ({
      contents: `module.exports = ${GLOBALS[args.path]};`,
      loader: 'js',
    }));
  },
};

const text = (value) => JSON.stringify(String(value));
const result = await esbuild.build({
  entryPoints: [join(root, 'src', 'index.ts')],
  outfile: join(root, 'build', `${pkg.name}.js`),
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: ['es2019'],
  jsx: 'transform',
  minify: process.env.MINIFY !== '0',
  sourcemap: true,
  legalComments: 'none',
  plugins: [providedByFlex],
  define: {
    __FPB_PLUGIN_UNIQUE_NAME: text(pkg.name),
    __FPB_PLUGIN_VERSION: text(pkg.version),
    __FPB_FLEX_PLUGIN_SCRIPTS_VERSION: text('esbuild'),
    __FPB_FLEX_PLUGIN_VERSION: text(version('@twilio/flex-plugin')),
    __FPB_FLEX_UI_VERSION: text('2'),
    __FPB_REACT_VERSION: text(version('react')),
    __FPB_REACT_DOM_VERSION: text(version('react-dom')),
    'process.env.NODE_ENV': text('production'),
  },
  metafile: true,
  logLevel: 'warning',
});
const [output] = Object.entries(result.metafile.outputs).filter(([file]) => file.endsWith('.js'));
console.log(`built ${output[0]} (${output[1].bytes} bytes)`);
