const { SourceMapDevToolPlugin } = require('webpack');

/**
 * The plugin builder's production config, with one mend: it asks for a source map twice (`devtool:
 * 'hidden-source-map'` and a SourceMapDevToolPlugin that appends `//# sourceMappingURL=bundle.js.map`, the name the
 * upload gives the map), and the second one maps the first one's output, so build/<name>.js.map comes out empty.
 * One plugin now does both: it writes build/<name>.js.map and appends the same comment.
 */
module.exports = (config, { isProd }) => {
  if (!isProd) return config;
  const appendsUploadName = (plugin) => plugin instanceof SourceMapDevToolPlugin && !plugin.sourceMapFilename;
  const append = config.plugins.find(appendsUploadName);
  if (!append) return config;
  return {
    ...config,
    devtool: false,
    plugins: [
      ...config.plugins.filter((plugin) => plugin !== append),
      new SourceMapDevToolPlugin({ filename: '[file].map', append: append.sourceMappingURLComment }),
    ],
  };
};
