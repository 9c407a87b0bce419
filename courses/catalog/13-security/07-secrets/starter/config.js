// The settings of the library's staff page.
//
// DANGER: the admin password is written in the code. Everyone who
// can read the code, or its history in Git, now knows it.
const ADMIN_PASSWORD = "letmein";
const PORT = 3000;

// Builds the settings from the environment (process.env, or a plain
// object in the tests).
function loadConfig(env) {
  // TODO: read ADMIN_PASSWORD and PORT from env instead (see the
  // lesson), and stop with a clear error when something is wrong.
  return { port: PORT, adminPassword: ADMIN_PASSWORD };
}

module.exports = { loadConfig };
