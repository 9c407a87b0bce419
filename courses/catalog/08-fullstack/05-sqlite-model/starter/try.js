// Press Run: this makes a fresh database in a temporary folder,
// starts the server, adds two entries, lists them and stops.
const fs = require("node:fs");
const http = require("node:http");
const os = require("node:os");
const path = require("node:path");
const { createApp } = require("./app.js");

const folder = fs.mkdtempSync(path.join(os.tmpdir(), "try-"));
const dbPath = path.join(folder, "guestbook.db");

function ask(port, method, body) {
  return new Promise((resolve) => {
    const headers = {
      "Content-Type": "application/x-www-form-urlencoded",
      "Content-Length": Buffer.byteLength(body),
    };
    const options = {
      host: "127.0.0.1", port, method, path: "/api/entries", headers, agent: false,
    };
    const req = http.request(options, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (text += chunk));
      res.on("end", () => {
        console.log(`${method} /api/entries ${body} -> ${res.statusCode}`);
        console.log(`  ${text}`);
        resolve();
      });
    });
    req.setTimeout(3000, () => {
      console.log(`${method} /api/entries -> no answer`);
      req.destroy();
      resolve();
    });
    req.end(body);
  });
}

let server;
try {
  server = createApp({ dbPath });
} catch (error) {
  console.log("createApp stopped with an error:");
  console.log(error.message);
  process.exit(1);
}
server.listen(0, "127.0.0.1", async () => {
  const port = server.address().port;
  await ask(port, "POST", "name=Ada&message=First+post%21");
  await ask(port, "POST", "name=Pat+O%27Brien&message=It%27s+working");
  await ask(port, "POST", "name=&message=Who+am+I%3F");
  await ask(port, "GET", "");
  server.closeAllConnections?.();
  server.close();
  fs.rmSync(folder, { recursive: true, force: true });
});
