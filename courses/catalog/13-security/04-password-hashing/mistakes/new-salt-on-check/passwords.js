// Keeps passwords safe: the database only ever sees a salted hash.
const crypto = require("node:crypto");

// "salt:hash", both in hex. A new random salt every time.
function hashPassword(password) {
  const salt = crypto.randomBytes(16);
  const hash = crypto.scryptSync(password, salt, 32);
  return salt.toString("hex") + ":" + hash.toString("hex");
}

// True only when password is the one that was hashed into stored.
function checkPassword(password, stored) {
  const [saltHex, hashHex] = String(stored).split(":");
  if (!saltHex || !hashHex) {
    return false;
  }
  const expected = Buffer.from(hashHex, "hex");
  const actual = crypto.scryptSync(password,
    crypto.randomBytes(16), 32);
  if (expected.length !== actual.length) {
    return false;
  }
  return crypto.timingSafeEqual(expected, actual);
}

module.exports = { hashPassword, checkPassword };
