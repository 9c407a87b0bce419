// The routes (read-only). They only talk to the model through
// setup(), add() and all(), so the model can change underneath.
const http = require("node:http");
const { createModel } = require("./model.js");

function sendJson(res, status, data) {
  res.statusCode = status;
  res.setHeader("Content-Type", "application/json; charset=utf-8");
  res.end(JSON.stringify(data));
}

function readBody(req, limit) {
  return new Promise((resolve, reject) => {
    let body = "";
    let size = 0;
    req.setEncoding("utf8");
    req.on("data", (chunk) => {
      size = size + Buffer.byteLength(chunk);
      if (size <= limit) {
        body = body + chunk;
      }
    });
    req.on("end", () => {
      if (size > limit) {
        reject(new Error("That is too much text"));
      } else {
        resolve(body);
      }
    });
    req.on("error", reject);
  });
}

function createApp({ dbPath }) {
  const model = createModel(dbPath);
  model.setup();
  return http.createServer(async (req, res) => {
    const url = new URL(req.url, "http://localhost");
    if (url.pathname !== "/api/entries") {
      return sendJson(res, 404, { error: "Not found" });
    }
    if (req.method === "GET") {
      return sendJson(res, 200, model.all());
    }
    if (req.method === "POST") {
      try {
        const form = new URLSearchParams(await readBody(req, 10000));
        const entry = model.add(form.get("name"), form.get("message"));
        return sendJson(res, 201, entry);
      } catch (error) {
        return sendJson(res, 400, { error: error.message });
      }
    }
    res.setHeader("Allow", "GET, POST");
    sendJson(res, 405, { error: "Method not allowed" });
  });
}

module.exports = { createApp };
