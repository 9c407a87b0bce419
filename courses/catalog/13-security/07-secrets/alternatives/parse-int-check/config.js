const DEFAULT_PORT = 3000;
const SHORTEST = 12;

function loadConfig(env) {
  const password = env.ADMIN_PASSWORD ?? "";
  if (password.length === 0) {
    throw new Error("Missing setting: ADMIN_PASSWORD");
  }
  if (password.length < SHORTEST) {
    throw new Error(`ADMIN_PASSWORD needs ${SHORTEST} characters or more`);
  }
  let port = DEFAULT_PORT;
  if (env.PORT !== undefined) {
    port = parseInt(env.PORT, 10);
    if (String(port) !== env.PORT) {
      throw new Error("Bad setting: PORT=" + env.PORT);
    }
  }
  return { adminPassword: password, port: port };
}

module.exports = { loadConfig };
