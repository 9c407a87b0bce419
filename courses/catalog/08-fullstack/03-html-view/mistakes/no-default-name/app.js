const http = require("node:http");
const { timetableView, helloView } = require("./view.js");

const lessons = [
  { time: "09:00", subject: "English" },
  { time: "10:30", subject: "Maths" },
  { time: "13:00", subject: "Web pages" },
];

function send(res, status, type, body) {
  res.statusCode = status;
  res.setHeader("Content-Type", type + "; charset=utf-8");
  res.end(body);
}

function createApp() {
  return http.createServer((req, res) => {
    const url = new URL(req.url, "http://localhost");
    if (req.method === "GET" && url.pathname === "/") {
      return send(res, 200, "text/html", timetableView(lessons));
    }
    if (req.method === "GET" && url.pathname === "/hello") {
      const name = url.searchParams.get("name");
      return send(res, 200, "text/html", helloView(name));
    }
    send(res, 404, "text/plain", "Not found");
  });
}

module.exports = { createApp };
