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
  const server = http.createServer();
  server.on("request", (req, res) => {
    try {
      handle(req, res);
    } catch (problem) {
      log(`${new Date().toISOString()} ${req.url} ${problem.message}`);
      res.statusCode = 500;
      res.end("We are sorry: the search is not working right now.");
    }
  });
  return server;
}

module.exports = { createApp };
