// The web server: routes, checks, and answers.
const http = require("node:http");
const { createModel } = require("./model.js");
const { boardView, errorView } = require("./view.js");

const LIMIT = 10000;

// Reads the body of a request, up to limit bytes. (Given.)
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

function send(res, status, html) {
  res.writeHead(status, { "Content-Type": "text/html; charset=utf-8" });
  res.end(html);
}

// Checks the form: returns a message for the first problem, or null.
function problemWith(what, place) {
  // TODO: see the lesson for the three messages.
  return null;
}

function createApp({ dbPath }) {
  const items = createModel(dbPath);
  items.setup();

  return http.createServer(async (req, res) => {
    const url = new URL(req.url, "http://localhost");
    if (req.method === "GET" && url.pathname === "/") {
      return send(res, 200, boardView(items.all()));
    }
    // TODO: POST /report. Read the form (413 if too big), check it
    // (400 and errorView), store it, then answer 303 to /.
    send(res, 404, "<h1>Not found</h1>");
  });
}

module.exports = { createApp };
