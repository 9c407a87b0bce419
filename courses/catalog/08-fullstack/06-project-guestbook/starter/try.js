// Press Run: this makes a fresh database in a temporary folder, starts
// your server, signs the guestbook, shows the page and stops. Then it
// starts the server again on the same file, to show nothing was lost.
const fs = require("node:fs");
const http = require("node:http");
const os = require("node:os");
const path = require("node:path");
const { createApp } = require("./app.js");

const folder = fs.mkdtempSync(path.join(os.tmpdir(), "try-"));
const dbPath = path.join(folder, "guestbook.db");

function ask(port, method, urlPath, body = "") {
  return new Promise((resolve) => {
    const headers = {
      "Content-Type": "application/x-www-form-urlencoded",
      "Content-Length": Buffer.byteLength(body),
    };
    const options = {
      host: "127.0.0.1", port, method, path: urlPath, headers, agent: false,
    };
    const req = http.request(options, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (text += chunk));
      res.on("end", () => {
        const where = res.headers.location ? ` to ${res.headers.location}` : "";
        console.log(`${method} ${urlPath} ${body} -> ${res.statusCode}${where}`);
        const inside = text.replace(/^[\s\S]*<body>\n|\n<\/body>[\s\S]*$/g, "");
        if (inside) console.log(inside);
        console.log("");
        resolve();
      });
    });
    req.setTimeout(3000, () => {
      console.log(`${method} ${urlPath} -> no answer. Missing res.end?`);
      req.destroy();
      resolve();
    });
    req.end(body);
  });
}

function start() {
  return new Promise((resolve) => {
    const server = createApp({ dbPath });
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

function stop(server) {
  server.closeAllConnections?.();
  return new Promise((resolve) => server.close(resolve));
}

async function main() {
  let server = await start();
  let port = server.address().port;
  await ask(port, "POST", "/sign", "name=Ada&message=First%21");
  await ask(port, "POST", "/sign", "name=&message=Who+am+I%3F");
  await stop(server);
  console.log("--- server stopped and started again ---\n");
  server = await start();
  port = server.address().port;
  await ask(port, "POST", "/sign", "name=Pat+O%27Brien&message=Still+here%3F");
  await ask(port, "GET", "/");
  await stop(server);
  fs.rmSync(folder, { recursive: true, force: true });
}

main().catch((error) => {
  console.log("Something went wrong:");
  console.log(error.message);
  fs.rmSync(folder, { recursive: true, force: true });
  process.exit(1);
});
