const { randomBytes, scryptSync, timingSafeEqual } = require("node:crypto");

const KEY_LENGTH = 32;

function scramble(password, salt) {
  return scryptSync(password, salt, KEY_LENGTH);
}

function hashPassword(password) {
  const salt = randomBytes(16);
  return [salt, scramble(password, salt)]
    .map((bytes) => bytes.toString("hex"))
    .join(":");
}

function checkPassword(password, stored) {
  const text = typeof stored === "string" ? stored : "";
  const colon = text.indexOf(":");
  if (colon < 1) return false;
  const salt = Buffer.from(text.slice(0, colon), "hex");
  const expected = Buffer.from(text.slice(colon + 1), "hex");
  if (expected.length !== KEY_LENGTH) return false;
  return timingSafeEqual(expected, scramble(password, salt));
}

module.exports = { hashPassword, checkPassword };
