// Preloaded into wrangler's Node by `godurable-bench -v8-flags ...`
// (NODE_OPTIONS=--require=...): sets the V8 flags of workerd. workerd takes
// them from its configuration (Config.v8Flags, "use at your own risk");
// miniflare encodes every field of the configuration object it builds,
// but wrangler never sets this one. So this hook rewrites miniflare's
// serializeConfig, as it is loaded, to add the flags from
// GODURABLE_V8_FLAGS. For experiments only; nothing on disk is changed.
"use strict";
const Module = require("node:module");

const flags = (process.env.GODURABLE_V8_FLAGS || "").split(/\s+/).filter(Boolean);
const anchor = "const message = new Message();";
const compile = Module.prototype._compile;

Module.prototype._compile = function (content, filename) {
  if (flags.length > 0 && /miniflare[\\/]dist[\\/]src[\\/]index\.js$/.test(filename)) {
    if (!content.includes(anchor)) {
      throw new Error(`godurable-bench v8flags.cjs: no "${anchor}" in ${filename}; this miniflare serializes its config differently`);
    }
    content = content.replace(anchor, `config.v8Flags = ${JSON.stringify(flags)}; ${anchor}`);
  }
  return compile.call(this, content, filename);
};
