// Registered by proxy.cjs in a node-test harness (node >= 20.6, module.register): an ES-module
// import of any file under /work that is not one of the course's own is refused, so a learner's
// ES module is never evaluated where the verdict is made. (CommonJS learner files are reached
// through require(), which gives a proxy of the module running in the learner's sandbox.)
let local = new Set();

export async function initialize(data) {
  local = new Set((data && data.local ? data.local : []).map((p) => `file://${p}`));
}

export async function resolve(specifier, context, nextResolve) {
  const found = await nextResolve(specifier, context);
  if (found.url.startsWith('file:///work/') && !local.has(found.url)) {
    const err = new Error(
      `${specifier} cannot be imported by a check: load the learner's code with require()`,
    );
    err.code = 'ERR_SLATE_IMPORT_REFUSED';
    throw err;
  }
  return found;
}
