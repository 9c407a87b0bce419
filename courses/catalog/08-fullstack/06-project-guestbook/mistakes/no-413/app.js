// The web server: turns http requests into controller requests and
// the controller's answers back into http.
const http = require("node:http");
const { createGuestbook } = require("./model.js");
const { createController } = require("./controller.js");

const LIMIT = 10000;

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
  const book = createGuestbook(dbPath);
  book.setup();
  const controller = createController(book);

  return http.createServer(async (req, res) => {
    const url = new URL(req.url, "http://localhost");
    let form = {};
    if (req.method === "POST") {
      try {
        const body = await readBody(req, LIMIT);
        form = Object.fromEntries(new URLSearchParams(body));
      } catch (error) {
        form = {};
      }
    }
    const response = controller.handle({
      method: req.method,
      path: url.pathname,
      form: form,
    });
    res.writeHead(response.status, response.headers);
    res.end(response.body);
  });
}

module.exports = { createApp };
