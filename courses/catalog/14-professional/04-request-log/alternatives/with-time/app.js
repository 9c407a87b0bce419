// The library's little API, with a log line for every request.
const http = require("node:http");

const BOOKS = ["Small Island", "The Secret Garden"];
const PINS = { Ada: "4321" };

function sendJson(res, status, data) {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(data));
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}

async function handle(req, res, path) {
  if (req.method === "GET" && path === "/books") {
    return sendJson(res, 200, BOOKS);
  }
  if (req.method === "POST" && path === "/login") {
    const form = new URLSearchParams(await readBody(req));
    const name = form.get("name") || "";
    if (PINS[name] !== undefined && PINS[name] === form.get("pin")) {
      return sendJson(res, 200, { welcome: name });
    }
    return sendJson(res, 401, { error: "Wrong name or PIN" });
  }
  sendJson(res, 404, { error: "Not found" });
}

// log(line) writes one line to the owner's log (the tests give
// their own).
function createApp({ log = console.log } = {}) {
  return http.createServer((req, res) => {
    const path = new URL(req.url, "http://localhost").pathname;
    const started = Date.now();
    res.on("finish", () => {
      const ms = Date.now() - started;
      log(new Date().toISOString() + " " + req.method + " " + path +
        " -> " + res.statusCode + " (" + ms + " ms)");
    });
    handle(req, res, path);
  });
}

module.exports = { createApp };
