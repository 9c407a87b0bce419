const http = require("node:http");
const { formPage, thanksPage } = require("./view.js");

function send(res, status, type, body) {
  res.statusCode = status;
  res.setHeader("Content-Type", type + "; charset=utf-8");
  res.end(body);
}

// Resolves with the whole body as text, or rejects if it is more
// than `limit` bytes.
function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    let body = "";
    let size = 0;
    let tooBig = false;
    req.setEncoding("utf8");
    req.on("data", (chunk) => {
      // Count the bytes. Keep the chunk only while under the limit.
    });
    req.on("end", () => {
      // Reject if it was too big, else resolve with the body.
    });
    req.on("error", reject);
  });
}

function createApp() {
  return http.createServer(async (req, res) => {
    const url = new URL(req.url, "http://localhost");
    if (req.method === "GET" && url.pathname === "/") {
      return send(res, 200, "text/html", formPage());
    }
    if (req.method === "POST" && url.pathname === "/sign") {
      // Read the body, get the name, answer 413, 400 or 200.
      return send(res, 500, "text/plain", "Not written yet");
    }
    send(res, 404, "text/plain", "Not found");
  });
}

module.exports = { createApp, readBody };
