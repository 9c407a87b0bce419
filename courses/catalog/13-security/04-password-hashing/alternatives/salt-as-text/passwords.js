const crypto = require("node:crypto");

function hashPassword(password) {
  const salt = crypto.randomBytes(16).toString("hex");
  const hash = crypto.scryptSync(password, salt, 32).toString("hex");
  return `${salt}:${hash}`;
}

function checkPassword(password, stored) {
  const parts = String(stored).split(":");
  if (parts.length !== 2 || parts[0] === "" || parts[1] === "") {
    return false;
  }
  const again = crypto.scryptSync(password, parts[0], 32).toString("hex");
  return again === parts[1];
}

module.exports = { hashPassword, checkPassword };
