// Press Run: this starts the server and sends it some bookings, the
// way a form would, and some the way an attacker would.
const http = require("node:http");
const { createApp } = require("./app.js");

function send(port, method, path, body) {
  return new Promise((resolve) => {
    const headers = {
      "Content-Type": "application/x-www-form-urlencoded",
      "Content-Length": Buffer.byteLength(body),
    };
    const options = {
      host: "127.0.0.1", port, method, path, headers, agent: false,
    };
    const req = http.request(options, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk) => (text += chunk));
      res.on("end", () => {
        console.log(`${method} ${path} ${body}`);
        console.log(`  -> ${res.statusCode} ${text}`);
        resolve();
      });
    });
    req.setTimeout(3000, () => {
      console.log(`${method} ${path} -> no answer`);
      req.destroy();
      resolve();
    });
    req.end(body);
  });
}

const server = createApp();
server.listen(0, "127.0.0.1", async () => {
  const port = server.address().port;
  await send(port, "POST", "/book", "name=Ada&day=Monday&hour=10");
  await send(port, "POST", "/book", "name=&day=Monday&hour=10");
  await send(port, "POST", "/book", "name=Sam&day=Sunday&hour=10");
  await send(port, "POST", "/book", "name=Sam&day=Friday&hour=3am");
  await send(port, "POST", "/book", "name=" + "x".repeat(60) +
    "&day=Friday&hour=9");
  await send(port, "GET", "/bookings", "");
  server.closeAllConnections?.();
  server.close();
});
