// The settings of the library's staff page.

// Builds the settings from the environment (process.env, or a plain
// object in the tests).
function loadConfig(env) {
  const adminPassword = env.ADMIN_PASSWORD;
  if (!adminPassword) {
    throw new Error("ADMIN_PASSWORD is not set");
  }
  if (adminPassword.length < 12) {
    throw new Error("ADMIN_PASSWORD must be at least 12 characters");
  }
  const portText = env.PORT || "3000";
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error("PORT must be a whole number from 1 to 65535");
  }
  return { port, adminPassword };
}

module.exports = { loadConfig };
