const http = require("node:http");

function send(res, status, type, body) {
  res.statusCode = status;
  res.setHeader("Content-Type", type + "; charset=utf-8");
  res.end(body);
}

function createApp() {
  return http.createServer((req, res) => {
    // Add the routes here: /, /about, /health, then 405 and 404.
    send(res, 200, "text/plain", "Welcome to the timetable");
  });
}

module.exports = { createApp };
