// Press Run: this starts the server, sends it four requests, and
// shows the owner's log.
const http = require("node:http");
const { createApp } = require("./app.js");

function ask(port, method, path, body = "") {
  return new Promise((resolve) => {
    const req = http.request({
      host: "127.0.0.1", port, method, path, agent: false,
      headers: {
        "Content-Type": "application/x-www-form-urlencoded",
        "Content-Length": Buffer.byteLength(body),
      },
    }, (res) => {
      res.on("data", () => {});
      res.on("end", resolve);
    });
    req.setTimeout(3000, () => req.destroy());
    req.on("error", () => resolve());
    req.end(body);
  });
}

function ownersLog(line) {
  console.log("[log]", line);
}

const server = createApp({ log: ownersLog });
server.listen(0, "127.0.0.1", async () => {
  const port = server.address().port;
  await ask(port, "GET", "/books");
  await ask(port, "GET", "/books?key=s3cret-key");
  await ask(port, "POST", "/login", "name=Ada&pin=1234");
  await ask(port, "GET", "/admin");
  setTimeout(() => {
    server.closeAllConnections?.();
    server.close();
  }, 100);
});
