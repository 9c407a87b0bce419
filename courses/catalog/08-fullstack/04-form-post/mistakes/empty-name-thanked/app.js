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
      size = size + Buffer.byteLength(chunk);
      if (size > limit) {
        tooBig = true;
      } else {
        body = body + chunk;
      }
    });
    req.on("end", () => {
      if (tooBig) {
        reject(new Error("The body is too big"));
      } else {
        resolve(body);
      }
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
      let body;
      try {
        body = await readBody(req, 10000);
      } catch (error) {
        return send(res, 413, "text/plain", "That is too much text");
      }
      const name = (new URLSearchParams(body).get("name") || "").trim();
      return send(res, 200, "text/html", thanksPage(name));
    }
    send(res, 404, "text/plain", "Not found");
  });
}

module.exports = { createApp, readBody };
