// The library's login. A PIN has only 10000 possible values, so the
// server must stop anyone who tries them one after another.
const http = require("node:http");

// Kept simple here: in a real app these are salted hashes.
const PINS = { Ada: "4321", Sam: "9876" };

const MAX_TRIES = 3;
const LOCK_MS = 15 * 60 * 1000;   // 15 minutes

function sendJson(res, status, data) {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(data));
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => {
      body = body + chunk;
      if (body.length > 10000) {
        req.destroy();
      }
    });
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}

// now() gives the time in milliseconds (the tests can move it).
function createApp({ now = Date.now } = {}) {
  return http.createServer(async (req, res) => {
    if (req.method !== "POST" || req.url !== "/login") {
      return sendJson(res, 404, { error: "Not found" });
    }
    const form = new URLSearchParams(await readBody(req));
    const name = form.get("name") || "";
    const pin = form.get("pin") || "";
    // TODO: count wrong tries for each name, and refuse with 429
    // after 3 of them, for 15 minutes (see the lesson).
    if (Object.hasOwn(PINS, name) && PINS[name] === pin) {
      return sendJson(res, 200, { welcome: name });
    }
    sendJson(res, 401, { error: "Wrong name or PIN" });
  });
}

module.exports = { createApp };
