// The library's search page.
const http = require("node:http");
const { search } = require("./catalogue.js");

const SORRY = "Sorry, something went wrong on our side. " +
  "Please try again later.";

function send(res, status, type, text) {
  res.writeHead(status, { "Content-Type": type + "; charset=utf-8" });
  res.end(text);
}

function handle(req, res) {
  const url = new URL(req.url, "http://localhost");
  if (url.pathname === "/search") {
    const found = search(url.searchParams.get("q") || "");
    return send(res, 200, "application/json", JSON.stringify(found));
  }
  send(res, 404, "text/plain", "Not found");
}

// log is where the owner reads what went wrong (console.error
// unless the tests give another one).
function createApp({ log = console.error } = {}) {
  return http.createServer((req, res) => {
    try {
      handle(req, res);
    } catch (error) {
      log("Error while searching:", error);
      send(res, 500, "text/plain", SORRY);
    }
  });
}

module.exports = { createApp };
