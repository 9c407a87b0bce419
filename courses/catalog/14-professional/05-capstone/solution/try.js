// Press Run: this starts the app on a fresh database in a temporary
// folder, hands in two items (one with a problem), and shows the page.
const fs = require("node:fs");
const http = require("node:http");
const os = require("node:os");
const path = require("node:path");
const { createApp } = require("./app.js");

const folder = fs.mkdtempSync(path.join(os.tmpdir(), "try-"));

function ask(port, method, urlPath, body) {
  return new Promise((resolve) => {
    const headers = {
      "Content-Type": "application/x-www-form-urlencoded",
      "Content-Length": Buffer.byteLength(body),
    };
    const options = {
      host: "127.0.0.1", port, method, path: urlPath, headers,
      agent: false,
    };
    const req = http.request(options, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (text += chunk));
      res.on("end", () => {
        console.log(`${method} ${urlPath} ${body} -> ${res.statusCode}`);
        const where = res.headers.location;
        console.log(where ? `  Location: ${where}` : text);
        resolve();
      });
    });
    req.setTimeout(3000, () => {
      console.log(`${method} ${urlPath} -> no answer`);
      req.destroy();
      resolve();
    });
    req.end(body);
  });
}

let server;
try {
  server = createApp({ dbPath: path.join(folder, "lost.db") });
} catch (error) {
  console.log("createApp stopped with an error:", error.message);
  process.exit(1);
}
server.listen(0, "127.0.0.1", async () => {
  const port = server.address().port;
  await ask(port, "POST", "/report", "what=Blue+umbrella&place=Hall");
  await ask(port, "POST", "/report", "what=&place=Kitchen");
  await ask(port, "GET", "/", "");
  server.closeAllConnections?.();
  server.close();
  fs.rmSync(folder, { recursive: true, force: true });
});
