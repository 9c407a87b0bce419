function loadConfig({ ADMIN_PASSWORD, PORT = "3000" }) {
  if (typeof ADMIN_PASSWORD !== "string" || ADMIN_PASSWORD === "") {
    throw new Error("Please set ADMIN_PASSWORD before starting");
  }
  if (ADMIN_PASSWORD.length < 12) {
    throw new Error("ADMIN_PASSWORD is too short: use 12 or more letters");
  }
  if (!/^[0-9]+$/.test(PORT)) {
    throw new Error(`PORT should be a number, not ${PORT}`);
  }
  return { port: Number(PORT), adminPassword: ADMIN_PASSWORD };
}

module.exports = { loadConfig };
