// Press Run: this starts your server, sends it a few requests, prints
// the answers and stops the server. It plays the part of a web browser.
const http = require("node:http");
const { createApp } = require("./app.js");

const requests = [
  ["GET", "/"],
  ["GET", "/about"],
  ["GET", "/health"],
  ["POST", "/"],
  ["GET", "/nowhere"],
];

function ask(port, method, path) {
  return new Promise((resolve) => {
    const options = { host: "127.0.0.1", port, method, path, agent: false };
    const req = http.request(options, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (body += chunk));
      res.on("end", () => {
        const type = res.headers["content-type"];
        console.log(`${method} ${path} -> ${res.statusCode} (${type})`);
        console.log(`  ${body}`);
        resolve();
      });
    });
    req.setTimeout(3000, () => {
      console.log(`${method} ${path} -> no answer. Missing res.end?`);
      req.destroy();
      resolve();
    });
    req.end();
  });
}

const server = createApp();
server.listen(0, "127.0.0.1", async () => {
  for (const [method, path] of requests) {
    await ask(server.address().port, method, path);
  }
  server.closeAllConnections?.();
  server.close();
});
