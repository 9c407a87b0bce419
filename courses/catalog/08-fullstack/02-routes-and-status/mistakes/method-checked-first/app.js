const http = require("node:http");

function send(res, status, type, body) {
  res.statusCode = status;
  res.setHeader("Content-Type", type + "; charset=utf-8");
  res.end(body);
}

const routes = {
  "/": () => ["text/plain", "Welcome to the timetable"],
  "/about": () => ["text/plain", "This server tells you what is on"],
  "/health": () => ["application/json", JSON.stringify({ ok: true })],
};

function createApp() {
  return http.createServer((req, res) => {
    const route = routes[req.url];
    if (req.method !== "GET") {
      res.setHeader("Allow", "GET");
      return send(res, 405, "text/plain", "Method not allowed");
    }
    if (!Object.hasOwn(routes, req.url)) {
      return send(res, 404, "text/plain", "Not found");
    }
    const [type, body] = route();
    send(res, 200, type, body);
  });
}

module.exports = { createApp };
