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
  if (!what) return "Please say what was found";
  if (!place) return "Please say where it was found";
  const tooLong = [what, place].some((answer) => answer.length > 60);
  return tooLong ? "Keep each answer to 60 letters or fewer" : null;
}

function createApp({ dbPath }) {
  const items = createModel(dbPath);
  items.setup();

  return http.createServer(async (req, res) => {
    const url = new URL(req.url, "http://localhost");
    if (req.method === "GET" && url.pathname === "/") {
      return send(res, 200, boardView(items.all()));
    }
    if (req.method === "POST" && url.pathname === "/report") {
      let form;
      try {
        form = new URLSearchParams(await readBody(req, LIMIT));
      } catch (error) {
        res.writeHead(413, { "Content-Type": "text/plain; charset=utf-8" });
        return res.end("That is too much text");
      }
      const { what = "", place = "" } = Object.fromEntries(form);
      const clean = { what: what.trim(), place: place.trim() };
      const problem = problemWith(clean.what, clean.place);
      if (problem !== null) {
        send(res, 400, errorView(problem, clean.what, clean.place));
        return;
      }
      items.add(clean.what, clean.place);
      res.statusCode = 303;
      res.setHeader("Location", "/");
      res.end();
      return;
    }
    send(res, 404, "<h1>Not found</h1>");
  });
}

module.exports = { createApp };
