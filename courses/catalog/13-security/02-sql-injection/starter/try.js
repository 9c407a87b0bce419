// Press Run: this makes a fresh database, adds a member, and then
// tries to log in, first honestly and then as an attacker.
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { createAccounts } = require("./accounts.js");

const folder = fs.mkdtempSync(path.join(os.tmpdir(), "try-"));
const accounts = createAccounts(path.join(folder, "library.db"));

function attempt(name, pin) {
  let answer;
  try {
    answer = accounts.login(name, pin);
  } catch (error) {
    answer = error.message;
  }
  console.log(`login(${JSON.stringify(name)}, ${JSON.stringify(pin)})`);
  console.log("  ->", answer);
}

try {
  accounts.setup();
  console.log("add:", accounts.add("Ada", "4321"));
  attempt("Ada", "4321");
  attempt("Ada", "0000");
  console.log("Now an attacker who does not know the PIN:");
  attempt("Ada' --", "");
  attempt("Ada", "' OR '1'='1");
  console.log("add:", accounts.add("Pat O'Brien", "1111"));
} catch (error) {
  console.log("Stopped with an error:", error.message);
}
fs.rmSync(folder, { recursive: true, force: true });
