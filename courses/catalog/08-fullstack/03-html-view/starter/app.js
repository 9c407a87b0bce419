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
    // Read the address with new URL(req.url, "http://localhost").
    // GET / -> timetableView(lessons). GET /hello -> helloView(name).
    send(res, 404, "text/plain", "Not found");
  });
}

module.exports = { createApp };
