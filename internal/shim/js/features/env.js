// The Worker's environment: its variables and the kinds of its bindings.

define(SYNC_OPS, {
  "env": (rt) => encode(describeEnv(rt.env)),
});

function describeEnv(env) {
  const vars = {};
  const bindings = {};
  for (const [name, value] of Object.entries(env ?? {})) {
    if (typeof value === "string" || typeof value === "number" || typeof value === "boolean" || value === null) vars[name] = value;
    else if (Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype) vars[name] = value;
    else bindings[name] = value?.constructor?.name ?? typeof value;
  }
  return { vars, bindings };
}
