function loadConfig(env) {
  const problems = [];
  if (!env.ADMIN_PASSWORD) {
    problems.push("ADMIN_PASSWORD is missing");
  } else if (env.ADMIN_PASSWORD.length < 12) {
    problems.push("ADMIN_PASSWORD must have at least 12 characters");
  }
  const port = env.PORT === undefined ? 3000 : Number(env.PORT);
  if (!Number.isSafeInteger(port)) {
    problems.push("PORT is not a whole number");
  }
  if (problems.length > 0) {
    throw new Error("Cannot start: " + problems.join("; "));
  }
  return { port, adminPassword: env.ADMIN_PASSWORD };
}

module.exports = { loadConfig };
